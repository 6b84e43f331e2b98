using System.Runtime.InteropServices;
using Ponder.Gguf;
using Ponder.Models;
using Ponder.Tensors;

namespace Ponder.Core.Tests.Gguf;

/// <summary>make-random-model's library side (src/Ponder.Core/Models/RandomModel*.cs); kept next to the
/// GGUF tests because what it is judged by is the GGUF it writes.</summary>
public class RandomModelTests
{
    static GgufFile Make(RandomModelSpec spec, IReadOnlyList<KeyValuePair<string, GgufValue>>? tok = null)
    {
        var ms = new MemoryStream();
        RandomModel.Build(spec, tok).WriteTo(ms);
        return GgufFile.FromBytes(ms.ToArray());
    }

    static float[] Floats(GgufFile f, string name)
    {
        var t = f.GetTensor(name);
        var v = new float[t.ElementCount];
        int cols = (int)t.Dims[0];
        long rb = GgmlTypeInfo.RowBytes(t.Type, cols);
        for (long r = 0; r < t.Rows; r++)
            GgufRowCodec.Decode(t.Type, f.DataSpan(t).Slice((int)(r * rb), (int)rb), v.AsSpan((int)(r * cols), cols));
        return v;
    }

    static (double mean, double std) Stats(float[] v)
    {
        double m = v.Average(x => (double)x);
        return (m, Math.Sqrt(v.Average(x => (x - m) * (x - m))));
    }

    [Fact]
    public void The_generated_512_vocab_is_tiny_llamas()
    {
        using var reference = GgufFile.Open(TestData.Model("tiny-llama-f32.gguf"));
        var v = RandomModelVocab.Make(512);
        Assert.Equal(reference.Metadata.GetArrayOrNull<string>("tokenizer.ggml.tokens"), v.Tokens);
        Assert.Equal(reference.Metadata.GetArrayOrNull<float>("tokenizer.ggml.scores"), v.Scores);
        Assert.Equal(reference.Metadata.GetArrayOrNull<int>("tokenizer.ggml.token_type"), v.Types);
    }

    [Theory]
    [InlineData(260)]
    [InlineData(1000)]
    [InlineData(4096)]
    public void Vocabularies_of_any_size_have_distinct_tokens(int n)
    {
        var v = RandomModelVocab.Make(n);
        Assert.Equal(n, v.Tokens.Length);
        Assert.Equal(n, v.Tokens.Distinct().Count());
        Assert.Equal("<0xFF>", v.Tokens[258]);
        Assert.Equal(RandomModelVocab.Byte, v.Types[258]);
    }

    /// <summary>Same keys, types and values as the reference files, same tensor names, types and shapes.</summary>
    [Theory]
    [InlineData("llama", "tiny-llama-f32.gguf")]
    [InlineData("qwen2", "tiny-qwen2-f32.gguf")]
    public void Llama_tiny_preset_has_the_reference_layout(string arch, string referenceFile)
    {
        using var reference = GgufFile.Open(TestData.Model(referenceFile));
        using var f = Make(RandomModel.Preset(arch, "llama-tiny"));
        foreach (var k in reference.Metadata.Keys)
        {
            if (k == "general.name" || (arch == "qwen2" && k.StartsWith("tokenizer."))) continue;
            Assert.True(f.Metadata.TryGet(k, out var v), $"missing {k}");
            Assert.Equal(reference.Metadata[k].Type, v.Type);
            if (!v.IsArray) Assert.Equal(reference.Metadata[k].Value, v.Value);
            else Assert.Equal((System.Collections.IEnumerable)reference.Metadata[k].Value, (System.Collections.IEnumerable)v.Value);
        }
        Assert.Equal(2, f.Metadata.GetInteger("general.quantization_version"));
        Assert.Equal(reference.Tensors.Select(t => t.ToString()), f.Tensors.Select(t => t.ToString()));
    }

    [Fact]
    public void Weights_are_scaled_like_the_reference_tools()
    {
        var spec = RandomModel.Preset("llama", "llama-tiny") with { FeedForward = 512 };
        using var f = Make(spec);
        void Near(string name, double mean, double std)
        {
            var (m, s) = Stats(Floats(f, name));
            Assert.InRange(m, mean - 0.1 * std - 0.01, mean + 0.1 * std + 0.01);
            Assert.InRange(s, std * 0.9, std * 1.1);
        }
        Near("token_embd.weight", 0, 1.0);
        Near("blk.0.attn_q.weight", 0, 1 / 16.0);
        Near("blk.0.attn_output.weight", 0, 0.5 / 16.0);
        Near("blk.1.ffn_down.weight", 0, 0.5 / Math.Sqrt(512));
        Near("blk.1.ffn_norm.weight", 1, 0.1);
        Near("output.weight", 0, 2 / 16.0);
        using var q = Make(RandomModel.Preset("qwen2", "llama-tiny"));
        Assert.InRange(Stats(Floats(q, "blk.0.attn_k.bias")).std, 0.07, 0.13);
        Assert.False(q.TryGetTensor("output.weight", out _));
    }

    [Fact]
    public void The_seed_decides_every_byte()
    {
        var spec = RandomModel.Preset("qwen2", "llama-tiny", seed: 7) with { Type = GgmlType.BF16 };
        var a = new MemoryStream(); RandomModel.Build(spec).WriteTo(a);
        var b = new MemoryStream(); RandomModel.Build(spec).WriteTo(b);
        var c = new MemoryStream(); RandomModel.Build(spec with { Seed = 8 }).WriteTo(c);
        Assert.Equal(a.ToArray(), b.ToArray());
        Assert.NotEqual(a.ToArray(), c.ToArray());
        Assert.Equal(a.Length, c.Length);
    }

    /// <summary>Pins the generator: a change to the PRNG or the normal sampler would silently change
    /// every model made from a seed, so the first values are fixed here.</summary>
    [Fact]
    public void The_generator_is_pinned()
    {
        var r = RandomModelRng.ForRow(42, "token_embd.weight", 0);
        var v = new float[4];
        r.FillNormal(v, 0, 1);
        var again = new float[4];
        RandomModelRng.ForRow(42, "token_embd.weight", 0).FillNormal(again, 0, 1);
        Assert.Equal(v, again);
        Assert.Equal(Pinned, v.Select(BitConverter.SingleToInt32Bits).ToArray());
    }

    static readonly int[] Pinned = [1063202039, -1084386559, 1067527941, 1065698852];

    [Fact]
    public void F16_weights_are_the_rounded_F32_weights()
    {
        var spec = RandomModel.Preset("llama", "llama-tiny");
        using var f32 = Make(spec);
        using var f16 = Make(spec with { Type = GgmlType.F16 });
        var a = Floats(f32, "blk.1.attn_v.weight");
        var b = Floats(f16, "blk.1.attn_v.weight");
        for (int i = 0; i < a.Length; i++) Assert.Equal((float)(Half)a[i], b[i]);
        Assert.Equal(GgmlType.F32, f16.GetTensor("blk.1.attn_norm.weight").Type);
        Assert.Equal(GgmlType.F16, f16.GetTensor("token_embd.weight").Type);
        Assert.Equal(1, f16.Metadata.GetInteger("general.file_type"));
    }

    [Fact]
    public void Overrides_change_the_shapes()
    {
        var spec = RandomModel.Preset("qwen2", "llama-tiny") with { Embd = 512, Heads = 4, KvHeads = 1, FeedForward = 768, Layers = 3, Vocab = 300, Context = 64 };
        using var f = Make(spec);
        Assert.Equal(128, f.Metadata.GetInteger("qwen2.rope.dimension_count"));
        Assert.Equal(768, f.Metadata.GetInteger("qwen2.feed_forward_length"));
        Assert.Equal(300, f.Metadata.GetArrayOrNull<string>("tokenizer.ggml.tokens")!.Length);
        Assert.Equal([512L, 128], f.GetTensor("blk.2.attn_k.weight").Dims);
        Assert.Equal([768L, 512], f.GetTensor("blk.2.ffn_down.weight").Dims);
        Assert.Equal([512L, 300], f.GetTensor("token_embd.weight").Dims);
        Assert.Equal([128L], f.GetTensor("blk.0.attn_v.bias").Dims);
    }

    [NeedsQuantizeTheory]
    [InlineData(GgmlType.Q8_0)]
    [InlineData(GgmlType.Q4_0)]
    [InlineData(GgmlType.Q4_K)]
    [InlineData(GgmlType.Q6_K)]
    public void Quantized_models_with_multi_block_rows(GgmlType type)
    {
        var spec = RandomModel.Preset("llama", "llama-tiny") with { Type = type, Embd = 512, Heads = 4, FeedForward = 768 };
        using var f = Make(spec);
        Assert.Equal(type, f.GetTensor("blk.0.ffn_down.weight").Type);
        Assert.Equal(GgmlType.F32, f.GetTensor("output_norm.weight").Type);
        var (_, std) = Stats(Floats(f, "blk.0.attn_q.weight"));
        Assert.InRange(std, 0.8 / Math.Sqrt(512), 1.2 / Math.Sqrt(512));
    }

    [Theory]
    [InlineData(256, 3, 1, "multiple of --heads")]
    [InlineData(256, 4, 3, "multiple of --kv-heads")]
    [InlineData(-1, 4, 2, "positive")]
    public void Bad_shapes_are_refused(int embd, int heads, int kv, string message)
    {
        var spec = RandomModel.Preset("llama", "llama-tiny") with { Embd = embd, Heads = heads, KvHeads = kv };
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => RandomModel.Build(spec)).Message);
        Assert.Throws<ArgumentException>(() => RandomModel.Build(RandomModel.Preset("llama", "llama-tiny") with { Vocab = 100 }));
        Assert.Throws<ArgumentException>(() => RandomModel.Preset("gpt2", "llama-tiny"));
        Assert.Throws<ArgumentException>(() => RandomModel.Preset("llama", "huge"));
    }

    /// <summary>The 0.5B preset with the real Qwen2 vocabulary: laid out, not written (2 GB as F32).</summary>
    [Fact]
    public void Qwen_preset_uses_the_qwen2_vocabulary_and_shapes()
    {
        var tok = RandomModel.LoadTokenizer(TestData.Vocab("ggml-vocab-qwen2.gguf.gz"));
        var w = RandomModel.Build(RandomModel.Preset("qwen2", "qwen2.5-0.5b") with { Type = GgmlType.F16 }, tok);
        var keys = w.Metadata.Select(kv => kv.Key).ToList();
        Assert.Contains("tokenizer.ggml.merges", keys);
        Assert.Equal("qwen2", ((string)w.Metadata.First(kv => kv.Key == "tokenizer.ggml.pre").Value.Value));
        Assert.Equal(24 * 12 + 2, w.TensorCount);
        Assert.InRange(w.ComputeFileSize(), 980_000_000, 1_000_000_000);
        Assert.Throws<ArgumentException>(() => RandomModel.Build(RandomModel.Preset("qwen2", "qwen2.5-0.5b") with { Vocab = 1000 }, tok));
        // A cut-down one is small enough to write and read back.
        using var f = Make(RandomModel.Preset("qwen2", "qwen2.5-0.5b") with { Type = GgmlType.F16, Layers = 1, Embd = 64, Heads = 2, KvHeads = 1, FeedForward = 128 }, tok);
        Assert.Equal([64L, 151936], f.GetTensor("token_embd.weight").Dims);
        Assert.Equal(151936, f.Metadata.GetArrayOrNull<string>("tokenizer.ggml.tokens")!.Length);
    }
}
