using Ponder.Gguf;
using Ponder.Models;
using Ponder.Reasoning.Tasks.Arith;
using Ponder.Tensors;
using Ponder.Tokenizers;
using TorchSharp;
using static TorchSharp.torch;

namespace Ponder.Train.Tests;

public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("ponder-train-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() => Directory.Delete(Path, recursive: true);
}

/// <summary>The trainer end to end on a toy model: train a few steps, export, load with Ponder's
/// engine, compare logits. TorchSharp runs single-threaded here so the test is cheap on CI.</summary>
public class TrainerSmokeTests
{
    // GQA (4 heads over 2 KV heads) and an untied output so both code paths are exercised.
    static readonly ModelSpec Toy = new() { Embd = 32, Layers = 2, Heads = 4, KvHeads = 2, FeedForward = 64, Context = 128 };

    static TrainConfig Config(string dir, int steps) => new()
    {
        Kind = "policy", OutDir = dir, Steps = steps, Batch = 8, LearningRate = 3e-3, Warmup = 2, Seed = 5, Threads = 1,
        LogEvery = 1, CheckpointMinutes = 1000,
    };

    [Fact]
    public void Exported_model_gives_the_same_logits_in_Ponder_as_in_TorchSharp()
    {
        using var d = new TempDir();
        var model = new Trainer(Toy, Config(d.Path, 6), new PolicySource(), TextWriter.Null).Run();
        // Ponder computes with the file's F16 weights: round the TorchSharp weights the same way, so
        // what is left is Ponder's F16 activations (as ggml) and F16 KV cache: well under 1e-3 here.
        using (torch.no_grad())
            foreach (var (_, p, matrix) in model.Named)
                if (matrix) p.copy_(p.to(ScalarType.Float16).to(ScalarType.Float32));
        string path = d.File("toy.gguf");
        GgufExport.Write(model, path, "toy");

        var ids = CharVocab.Encode("37+48-19*3\n37+48=85\n85-19=66\n66*3=198\nanswer: 198");
        float[] expected;
        using (torch.no_grad())
        using (var t = torch.tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length]))
        using (var l = model.forward(t))
            expected = l.contiguous().data<float>().ToArray();

        using var m = Transformer.Load(path, 1);
        Assert.Equal(CharVocab.Size, m.Config.VocabSize);
        using var s = new InferenceSession(m);
        var got = new float[ids.Length * CharVocab.Size];
        s.Evaluate(ids, got, allLogits: true);
        double maxDiff = 0;
        for (int i = 0; i < got.Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(got[i] - expected[i]));
        Assert.True(maxDiff < 1e-3, $"max |logit difference| {maxDiff}");
        Assert.True(expected.Select(Math.Abs).Max() > 0.05, "logits are not trivially small");
    }

    [Fact]
    public void Resuming_from_a_checkpoint_gives_the_same_weights_as_an_unbroken_run()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        var straight = new Trainer(Toy, Config(a.Path, 4), new PolicySource(), TextWriter.Null).Run();
        var cfg = Config(b.Path, 4);
        new Trainer(Toy, cfg with { Steps = 2 }, new PolicySource(), TextWriter.Null).Run();
        // The cosine schedule belongs to the whole run: a run stopped early uses MaxMinutes instead;
        // here steps 0..1 have the same rate in both (warm-up), so stopping at 2 and going on is exact.
        var resumed = new Trainer(Toy, cfg, new PolicySource(), TextWriter.Null).Run();
        for (int i = 0; i < straight.Named.Count; i++)
        {
            var x = straight.Named[i].P.detach().data<float>().ToArray();
            var y = resumed.Named[i].P.detach().data<float>().ToArray();
            Assert.Equal(x, y);
        }
    }

    [Fact]
    public void A_model_grown_from_a_shallower_one_starts_computing_exactly_what_it_did()
    {
        using var a = new TempDir();
        using var b = new TempDir();
        var small = new Trainer(Toy, Config(a.Path, 3), new PolicySource(), TextWriter.Null).Run();
        var deep = Toy with { Layers = Toy.Layers + 2 };
        var grown = new Trainer(deep, Config(b.Path, 0) with { InitWeights = a.File(Trainer.CheckpointWeights) }, new PolicySource(), TextWriter.Null).Run();
        var ids = CharVocab.Encode("12*7=84\nanswer: 84");
        using var _ = torch.no_grad();
        using var t = torch.tensor(ids.Select(i => (long)i).ToArray(), [1, ids.Length]);
        Assert.Equal(small.forward(t).data<float>().ToArray(), grown.forward(t).data<float>().ToArray());
        // The new layers are real: their inputs are trained weights, not zeros.
        Assert.True(grown.Named.Single(n => n.Name == $"blk.{Toy.Layers}.attn_q.weight").P.abs().max().item<float>() > 0);
    }

    [Fact]
    public void Char_vocabulary_tokenizes_as_Ponders_SentencePiece_tokenizer()
    {
        using var d = new TempDir();
        var model = new LlamaModel(Toy, CharVocab.Size, 1);
        GgufExport.Write(model, d.File("v.gguf"), "v");
        using var f = GgufFile.Open(d.File("v.gguf"));
        var tok = Tokenizer.FromGguf(f.Metadata);
        var p = new ArithGenerator(3).Next();
        foreach (var text in new[] { p.Question, p.Question + "\n" + p.Solution(), "answer: -12", "héllo wörld\t€ 🙂", "x y  z" })
        {
            Assert.Equal(CharVocab.Encode(text), tok.Encode(text));
            Assert.Equal(text, tok.Decode(tok.Encode(text)));
        }
        Assert.Contains("bos_token", f.Metadata.GetStringOrNull("tokenizer.chat_template"));
    }

    [Theory]
    [InlineData(48, 4, 4, 64, "Q8_0", "multiple of 32")]
    [InlineData(30, 4, 4, 64, "F16", "not a multiple of heads")]
    [InlineData(32, 4, 3, 64, "F16", "kv-heads")]
    [InlineData(12, 4, 4, 64, "F16", "must be even")]
    public void Configs_the_exporter_cannot_write_are_refused_before_training(int embd, int heads, int kv, int ff, string type, string msg)
    {
        var spec = new ModelSpec { Embd = embd, Heads = heads, KvHeads = kv, FeedForward = ff, WeightType = Enum.Parse<GgmlType>(type) };
        var e = Assert.Throws<ArgumentException>(() => new Trainer(spec, Config("/nonexistent/never", 1), new PolicySource(), TextWriter.Null).Run());
        Assert.Contains(msg, e.Message);
        Assert.False(Directory.Exists("/nonexistent/never"));
    }

    [Fact]
    public void Elf_patch_is_applied_once_and_then_left_alone()
    {
        TorchRuntime.Ensure(1);
        var so = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        if (!OperatingSystem.IsLinux() || !File.Exists(so) || ElfVersionPatch.SystemHasVersion(ElfVersionPatch.Version)) return;
        Assert.Equal(ElfVersionPatch.Result.AlreadyWeak, ElfVersionPatch.Patch(so));
        using var t = torch.ones(3);
        Assert.Equal(3f, t.sum().item<float>());
    }

    [Fact]
    public void Verifier_examples_put_the_checker_verdicts_at_the_markers_and_results_of_right_lines_elsewhere()
    {
        var p = ArithProblem.Parse("37+48-19*3");
        int marker = CharVocab.Id(CharVocab.Marker);
        var ex = PrmSource.Encode(p, "37+48=85\n85-19=67\n67*3=201\nanswer: 201");
        var verdicts = Enumerable.Range(0, ex.Ids.Length).Where(i => ex.Ids[i] == marker).Select(i => ex.Targets[i] == CharVocab.Id('+')).ToArray();
        Assert.Equal([true, false, false, false], verdicts);
        // Only the first line is right: its result is the one auxiliary target.
        Assert.Equal("85", Aux(ex));
        var ok = PrmSource.Encode(p, p.Solution());
        Assert.All(Enumerable.Range(0, ok.Ids.Length).Where(i => ok.Ids[i] == marker), i => Assert.Equal(CharVocab.Id('+'), ok.Targets[i]));
        Assert.Equal("8566198 198", Aux(ok));

        static string Aux(Example e) => string.Concat(Enumerable.Range(0, e.Ids.Length)
            .Where(i => e.Targets[i] >= 0 && e.Ids[i] != CharVocab.Id(CharVocab.Marker))
            .Select(i => CharVocab.Tokens[e.Targets[i]].Replace("\u2581", " ")));
    }
}
