using System.CommandLine;
using System.Globalization;
using Ponder.Tokenizers;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder detokenize -m MODEL --tokens 1,2,3 [--special]</c>: the text of token ids.</summary>
public static class DetokenizeCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var tokens = new Option<string>("--tokens") { Description = "Token ids separated by commas or spaces", Required = true };
        var special = new Option<bool>("--special") { Description = "Write control tokens (BOS, <|im_end|>, ...) as their text" };
        var cmd = new Command("detokenize", "Turn token ids back into text") { model, tokens, special };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var tok = Tokenizer.FromFile(CommonOptions.ResolveModel(r.GetValue(model)));
            var parts = r.GetValue(tokens)!.Split([',', ' ', '\t', '\n', '[', ']'], StringSplitOptions.RemoveEmptyEntries);
            var ids = new int[parts.Length];
            for (int i = 0; i < parts.Length; i++)
                if (!int.TryParse(parts[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out ids[i]))
                    throw new FormatException($"--tokens: '{parts[i]}' is not a token id");
            Console.Out.Write(tok.Decode(ids, r.GetValue(special)));
            Console.Out.WriteLine();
            return 0;
        }));
        return cmd;
    }
}
