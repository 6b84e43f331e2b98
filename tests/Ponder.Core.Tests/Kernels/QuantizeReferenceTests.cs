using Ponder.Gguf;
using Ponder.Kernels;
using Ponder.Tensors;
using Xunit.Abstractions;

namespace Ponder.Core.Tests.Kernels;

/// <summary>Our quantizers against llama-quantize --pure output made from the same F32 file.</summary>
public class QuantizeReferenceTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("tiny-llama-q8_0.gguf", GgmlType.Q8_0, 0)]
    [InlineData("tiny-llama-q4_0.gguf", GgmlType.Q4_0, 0)]
    [InlineData("tiny-llama-q4_k.gguf", GgmlType.Q4_K, 0)]
    [InlineData("tiny-llama-q6_k.gguf", GgmlType.Q6_K, 0)]
    [InlineData("tiny-llama-f16.gguf", GgmlType.F16, 0)]
    [InlineData("tiny-llama-bf16.gguf", GgmlType.BF16, 0)]
    public void MatchesLlamaQuantize(string file, GgmlType type, int maxDifferingBlocks)
    {
        using var f32 = GgufFile.Open(TestData.Model("tiny-llama-f32.gguf"));
        using var q = GgufFile.Open(TestData.Model(file));
        int tensors = 0, blocks = 0, differing = 0;
        int bs = GgmlTypeInfo.BlockSize(type), ts = GgmlTypeInfo.TypeSize(type);
        foreach (var t in q.Tensors)
        {
            if (t.Type != type || t.Dims.Length != 2) continue;
            var src = f32.GetTensor(t.Name);
            Assert.Equal(GgmlType.F32, src.Type);
            var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(f32.DataSpan(src));
            var expected = q.DataSpan(t);
            var actual = new byte[expected.Length];
            long cols = t.Dims[0];
            long rowBytes = GgmlTypeInfo.RowBytes(type, cols);
            for (long r = 0; r < t.Rows; r++)
                Quantize.Row(type, floats.Slice((int)(r * cols), (int)cols), actual.AsSpan((int)(r * rowBytes), (int)rowBytes));
            for (int b = 0; b < expected.Length / ts; b++)
            {
                blocks++;
                if (!expected.Slice(b * ts, ts).SequenceEqual(actual.AsSpan(b * ts, ts))) differing++;
            }
            tensors++;
        }
        output.WriteLine($"{file}: {tensors} tensors, {blocks} blocks of {bs}, {differing} differ");
        Assert.True(tensors > 0, $"no {type} 2-D tensors in {file}");
        Assert.True(differing <= maxDifferingBlocks, $"{differing} of {blocks} blocks differ from llama-quantize");
    }

    [Theory]
    [InlineData("tiny-llama-q8_0.gguf", GgmlType.Q8_0)]
    [InlineData("tiny-llama-q4_0.gguf", GgmlType.Q4_0)]
    [InlineData("tiny-llama-q4_k.gguf", GgmlType.Q4_K)]
    [InlineData("tiny-llama-q6_k.gguf", GgmlType.Q6_K)]
    [InlineData("tiny-llama-f16.gguf", GgmlType.F16)]
    [InlineData("tiny-llama-bf16.gguf", GgmlType.BF16)]
    public void DequantizedRowsAreCloseToSource(string file, GgmlType type)
    {
        // Decoding the reference file's blocks must land near the F32 source (checks layout/sign/scale bugs).
        using var f32 = GgufFile.Open(TestData.Model("tiny-llama-f32.gguf"));
        using var q = GgufFile.Open(TestData.Model(file));
        foreach (var t in q.Tensors)
        {
            if (t.Type != type || t.Dims.Length != 2) continue;
            var orig = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(f32.DataSpan(f32.GetTensor(t.Name)));
            var dec = new float[orig.Length];
            long cols = t.Dims[0];
            long rowBytes = GgmlTypeInfo.RowBytes(type, cols);
            var data = q.DataSpan(t);
            for (long r = 0; r < t.Rows; r++)
                Dequantize.Row(type, data.Slice((int)(r * rowBytes), (int)rowBytes), dec.AsSpan((int)(r * cols), (int)cols));
            double err = 0, norm = 0;
            for (int i = 0; i < orig.Length; i++) { err += (dec[i] - orig[i]) * (double)(dec[i] - orig[i]); norm += orig[i] * (double)orig[i]; }
            double rel = Math.Sqrt(err / norm);
            // Relative RMS error bounds per format (4-bit ≈ 1/8 of the range; 8-bit and halves far less).
            double bound = type switch { GgmlType.Q4_0 or GgmlType.Q4_K => 0.15, GgmlType.Q6_K => 0.05, GgmlType.BF16 => 0.01, _ => 0.01 };
            Assert.True(rel < bound, $"{t.Name}: relative RMS error {rel} ≥ {bound}");
            return;
        }
    }
}
