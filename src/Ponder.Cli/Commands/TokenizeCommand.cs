using System.CommandLine;
using System.Text.Json;
using Ponder.Tokenizers;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder tokenize -m MODEL --text TEXT [--no-special] [--json]</c>: the ids llama.cpp would give.
/// Without --text, --json reads a JSON array of strings on stdin and prints a JSON array of id arrays
/// (plain mode reads all of stdin as one text).</summary>
public static class TokenizeCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var text = new Option<string?>("--text") { Description = "Text to tokenize (default: read stdin)" };
        var noSpecial = new Option<bool>("--no-special") { Description = "Add no BOS/EOS and treat special-token text as plain text" };
        var json = CommonOptions.Json();
        var cmd = new Command("tokenize", "Turn text into token ids with the model's tokenizer (GGUF or .gguf.gz)") { model, text, noSpecial, json };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var tok = Tokenizer.FromFile(CommonOptions.ResolveModel(r.GetValue(model)));
            bool special = !r.GetValue(noSpecial);
            var t = r.GetValue(text);
            if (t == null && r.GetValue(json))
            {
                var inputs = JsonSerializer.Deserialize<string[]>(Console.In.ReadToEnd())
                    ?? throw new FormatException("stdin must hold a JSON array of strings");
                var all = new int[inputs.Length][];
                for (int i = 0; i < inputs.Length; i++)
                    all[i] = tok.Encode(inputs[i] ?? throw new FormatException($"element {i} of the stdin array is null"), special, special);
                Console.Out.WriteLine(JsonSerializer.Serialize(all));
                return 0;
            }
            var ids = tok.Encode(t ?? Console.In.ReadToEnd(), special, special);
            Console.Out.WriteLine(r.GetValue(json) ? JsonSerializer.Serialize(ids) : string.Join(' ', ids));
            return 0;
        }));
        return cmd;
    }
}
