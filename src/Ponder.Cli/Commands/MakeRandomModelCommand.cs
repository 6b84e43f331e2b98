using System.CommandLine;
using System.Diagnostics;
using Ponder.Gguf;
using Ponder.Models;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder make-random-model --arch qwen2|llama --preset qwen2.5-0.5b|llama-tiny --type T -o FILE</c>:
/// a random-weight model (scaled so logits are not degenerate) with a vocabulary llama.cpp loads.</summary>
public static class MakeRandomModelCommand
{
    public static Command Create()
    {
        var arch = new Option<string>("--arch") { Description = "llama or qwen2", Required = true };
        arch.AcceptOnlyFromAmong(RandomModel.Archs);
        var preset = new Option<string>("--preset") { Description = "llama-tiny (512 vocab, 256 embd, 2 layers) or qwen2.5-0.5b (Qwen2 vocabulary, 896 embd, 24 layers)", Required = true };
        preset.AcceptOnlyFromAmong(RandomModel.Presets);
        var type = new Option<string>("--type") { Description = "Type of the 2-D weights: F32 F16 BF16 Q8_0 Q4_0 Q4_K Q6_K", DefaultValueFactory = _ => "F32" };
        var output = new Option<string>("--output", "-o") { Description = "Output GGUF file", Required = true };
        var embd = new Option<int?>("--embd") { Description = "Embedding length" };
        var layers = new Option<int?>("--layers") { Description = "Number of blocks" };
        var heads = new Option<int?>("--heads") { Description = "Attention heads (head dim = embd / heads)" };
        var kvHeads = new Option<int?>("--kv-heads") { Description = "Key/value heads" };
        var ff = new Option<int?>("--ff") { Description = "Feed-forward length" };
        var vocab = new Option<int?>("--vocab") { Description = "Vocabulary size (llama-tiny preset only)" };
        var ctx = new Option<int?>("--ctx") { Description = "Context length" };
        var seed = new Option<ulong>("--seed") { Description = "Random seed", DefaultValueFactory = _ => 42 };
        var vocabFile = new Option<string?>("--vocab-file") { Description = $"Vocabulary GGUF (.gguf or .gguf.gz) for the qwen2.5-0.5b preset (default: {RandomModel.QwenVocabRelative})" };

        var cmd = new Command("make-random-model", "Write a random-weight llama/qwen2 GGUF model")
            { arch, preset, type, output, embd, layers, heads, kvHeads, ff, vocab, ctx, seed, vocabFile };
        cmd.SetAction(r =>
        {
            var sw = Stopwatch.StartNew();
            var spec = RandomModel.Preset(r.GetValue(arch)!, r.GetValue(preset)!, r.GetValue(seed));
            int presetVocab = spec.Vocab;
            spec = spec with
            {
                Type = GgufQuantizer.ParseType(r.GetValue(type)!),
                Embd = r.GetValue(embd) ?? spec.Embd,
                Layers = r.GetValue(layers) ?? spec.Layers,
                Heads = r.GetValue(heads) ?? spec.Heads,
                KvHeads = r.GetValue(kvHeads) ?? spec.KvHeads,
                FeedForward = r.GetValue(ff) ?? spec.FeedForward,
                Vocab = r.GetValue(vocab) ?? spec.Vocab,
                Context = r.GetValue(ctx) ?? spec.Context,
            };
            List<KeyValuePair<string, GgufValue>>? tokenizer = null;
            if (spec.Preset == "qwen2.5-0.5b")
            {
                if (spec.Vocab != presetVocab)
                    throw new ArgumentException($"--vocab {spec.Vocab}: the qwen2.5-0.5b preset uses the Qwen2 vocabulary of {presetVocab} tokens; use --preset llama-tiny for another size");
                tokenizer = RandomModel.LoadTokenizer(FindVocab(r.GetValue(vocabFile)));
            }
            var path = r.GetValue(output)!;
            var w = RandomModel.Build(spec, tokenizer);
            w.WriteTo(path);
            Console.Error.WriteLine($"wrote {path}: {spec.Arch} {spec.Preset}, {spec.Type}, {w.TensorCount} tensors, {new FileInfo(path).Length:N0} bytes in {sw.Elapsed.TotalSeconds:F1} s");
            return 0;
        });
        return cmd;
    }

    static string FindVocab(string? given)
    {
        if (!string.IsNullOrEmpty(given))
            return File.Exists(given) ? given : throw new FileNotFoundException($"vocabulary file not found: {given}");
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
            {
                var p = Path.Combine(d.FullName, RandomModel.QwenVocabRelative);
                if (File.Exists(p)) return p;
            }
        throw new FileNotFoundException($"the Qwen2 vocabulary {RandomModel.QwenVocabRelative} was not found above the binaries or the working directory; pass --vocab-file");
    }
}
