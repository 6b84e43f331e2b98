using Ponder.Gguf;
using Ponder.Models;
using Ponder.Tensors;

namespace Ponder.Core.Tests.Gguf;

public class GgufQuantizerTests
{
    static byte[] Quantize(string srcFile, GgmlType target)
    {
        using var f = GgufFile.Open(TestData.Model(srcFile));
        var ms = new MemoryStream();
        GgufQuantizer.Plan(f, target).WriteTo(ms);
        return ms.ToArray();
    }

    static void AssertSameBytes(string expectedFile, byte[] actual)
    {
        var want = File.ReadAllBytes(TestData.Model(expectedFile));
        Assert.Equal(want.Length, actual.Length);
        Assert.True(want.AsSpan().SequenceEqual(actual), $"differs from {expectedFile} at byte {want.AsSpan().CommonPrefixLength(actual)}");
    }

    /// <summary>The reference F16/BF16 files were made by llama-quantize --pure from the F32 one:
    /// same metadata order, same tensor order, same rounding — the same bytes.</summary>
    [Theory]
    [InlineData("tiny-llama-f16.gguf", GgmlType.F16)]
    [InlineData("tiny-llama-bf16.gguf", GgmlType.BF16)]
    public void Float_targets_match_llama_quantize_byte_for_byte(string expected, GgmlType type) =>
        AssertSameBytes(expected, Quantize("tiny-llama-f32.gguf", type));

    [NeedsQuantizeTheory]
    [InlineData("tiny-llama-f32.gguf", "tiny-llama-q8_0.gguf", GgmlType.Q8_0)]
    [InlineData("tiny-llama-f32.gguf", "tiny-llama-q4_0.gguf", GgmlType.Q4_0)]
    [InlineData("tiny-llama-f32.gguf", "tiny-llama-q4_k.gguf", GgmlType.Q4_K)]
    [InlineData("tiny-llama-f32.gguf", "tiny-llama-q6_k.gguf", GgmlType.Q6_K)]
    [InlineData("tiny-qwen2-f32.gguf", "tiny-qwen2-q8_0.gguf", GgmlType.Q8_0)]
    [InlineData("tiny-qwen2-f32.gguf", "tiny-qwen2-q4_k.gguf", GgmlType.Q4_K)]
    public void Quantized_targets_match_llama_quantize_byte_for_byte(string src, string expected, GgmlType type) =>
        AssertSameBytes(expected, Quantize(src, type));

    [Fact]
    public void F32_to_F32_keeps_the_data_and_sets_the_file_type_keys_last()
    {
        using var f = GgufFile.FromBytes(Quantize("tiny-qwen2-f32.gguf", GgmlType.F32));
        using var src = GgufFile.Open(TestData.Model("tiny-qwen2-f32.gguf"));
        Assert.Equal(["general.quantization_version", "general.file_type"], f.Metadata.Keys.TakeLast(2));
        Assert.Equal(0, f.Metadata.GetInteger("general.file_type"));
        Assert.Equal(src.Tensors.Count, f.Tensors.Count);
        foreach (var t in src.Tensors)
            Assert.True(src.DataSpan(t).SequenceEqual(f.DataSpan(f.GetTensor(t.Name))), t.Name);
    }

    [Fact]
    public void Going_back_from_F16_to_F32_widens_exactly()
    {
        using var f16 = GgufFile.Open(TestData.Model("tiny-llama-f16.gguf"));
        var ms = new MemoryStream();
        GgufQuantizer.Plan(f16, GgmlType.F32).WriteTo(ms);
        using var f32 = GgufFile.FromBytes(ms.ToArray());
        var t16 = f16.GetTensor("blk.0.attn_q.weight");
        var t32 = f32.GetTensor("blk.0.attn_q.weight");
        Assert.Equal(GgmlType.F32, t32.Type);
        var a = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(f16.DataSpan(t16));
        var b = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(f32.DataSpan(t32));
        for (int i = 0; i < a.Length; i++) Assert.Equal((float)a[i], b[i]);
    }

    [Fact]
    public void Unsupported_target_types_are_named_with_the_supported_list()
    {
        var e = Assert.Throws<ArgumentException>(() => GgufQuantizer.ParseType("Q5_0"));
        Assert.Contains("Q5_0", e.Message);
        Assert.Contains("Q4_K", e.Message);
        Assert.Equal(GgmlType.Q4_K, GgufQuantizer.ParseType("q4_k"));
        using var f = GgufFile.Open(TestData.Model("tiny-llama-f32.gguf"));
        Assert.Throws<ArgumentException>(() => GgufQuantizer.Plan(f, GgmlType.Q5_0));
    }

    [Fact]
    public void Rows_not_divisible_by_the_block_size_are_refused_before_writing()
    {
        // embd 128: rows of 128 values cannot be Q4_K (blocks of 256).
        var spec = RandomModel.Preset("llama", "llama-tiny") with { Embd = 128, Heads = 2, KvHeads = 1 };
        var ms = new MemoryStream();
        RandomModel.Build(spec).WriteTo(ms);
        using var f = GgufFile.FromBytes(ms.ToArray());
        var ex = Assert.Throws<ArgumentException>(() => GgufQuantizer.Plan(f, GgmlType.Q4_K));
        Assert.Contains("'output.weight'", ex.Message);
        Assert.Contains("128", ex.Message);
        Assert.Contains("256", ex.Message);
    }

    [Fact]
    public void Tensors_are_ordered_like_llama_cpps_loader()
    {
        string[] names = ["blk.10.a.weight", "output.weight", "blk.2.b.weight", "blk.2.a.weight", "token_embd.weight", "output_norm.weight"];
        var infos = names.Select(n => new GgufTensorInfo(n, GgmlType.F32, [1], 0, 4)).ToList();
        infos.Sort(GgufQuantizer.LoaderOrder);
        Assert.Equal(["output.weight", "output_norm.weight", "token_embd.weight", "blk.2.a.weight", "blk.2.b.weight", "blk.10.a.weight"],
            infos.Select(t => t.Name));
    }

    [Fact]
    public void Bf16_rounding_matches_ggml()
    {
        Assert.Equal(0x3F80, GgufRowCodec.ToBf16(1.0f));
        Assert.Equal(0x3F80, GgufRowCodec.ToBf16(BitConverter.Int32BitsToSingle(0x3F808000)));  // tie → even
        Assert.Equal(0x3F82, GgufRowCodec.ToBf16(BitConverter.Int32BitsToSingle(0x3F818000)));  // tie → even (up)
        Assert.Equal(0x3F81, GgufRowCodec.ToBf16(BitConverter.Int32BitsToSingle(0x3F808001)));
        Assert.Equal(0x7FE0, GgufRowCodec.ToBf16(BitConverter.Int32BitsToSingle(0x7FA00001)));          // NaN stays NaN, made quiet
    }
}
