using System.CommandLine;
using System.Runtime.InteropServices;
using Ponder.Models;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder logits -m MODEL --tokens 1,5,9 --out FILE [--incremental K]</c>: float32 little-endian
/// logits [n_tokens × n_vocab] for every position (the format of the llama.cpp reference files).</summary>
public static class LogitsCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var threads = CommonOptions.Threads();
        var tokens = new Option<string>("--tokens") { Description = "Comma-separated token ids", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Output file", Required = true };
        var incremental = new Option<int?>("--incremental")
        {
            Description = "Feed the first K tokens as one batch, then the rest one at a time",
        };
        var cmd = new Command("logits", "Write the logits of every position of a token sequence") { model, threads, tokens, output, incremental };
        cmd.SetAction(r =>
        {
            var ids = CommonOptions.ParseIds(r.GetValue(tokens)!);
            using var m = Transformer.Load(CommonOptions.ResolveModel(r.GetValue(model)), r.GetValue(threads));
            int v = m.Config.VocabSize;
            var logits = new float[(long)ids.Length * v];
            using var s = new InferenceSession(m, ids.Length);
            int k = r.GetValue(incremental) ?? ids.Length;
            if (k < 0 || k > ids.Length) throw new ArgumentException($"--incremental {k} must be between 0 and the {ids.Length} tokens");
            s.Evaluate(ids.AsSpan(0, k), logits.AsSpan(0, k * v), allLogits: true);
            for (int i = k; i < ids.Length; i++) s.Evaluate(ids.AsSpan(i, 1), logits.AsSpan(i * v, v));
            File.WriteAllBytes(r.GetValue(output)!, MemoryMarshal.AsBytes(logits.AsSpan()).ToArray());
            return 0;
        });
        return cmd;
    }
}
