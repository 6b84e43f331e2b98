using Ponder.Tensors;

namespace Ponder.Kernels;

/// <summary>Encodes float32 rows to a supported type, as llama.cpp's reference quantizers do
/// (quantize_row_*_ref), so files Ponder writes match files llama-quantize writes.</summary>
public static class Quantize
{
    /// <summary>src.Length values (a whole number of blocks) into dst (GgmlTypeInfo.RowBytes bytes).</summary>
    public static void Row(GgmlType type, ReadOnlySpan<float> src, Span<byte> dst)
    {
        long need = GgmlTypeInfo.RowBytes(type, src.Length);
        if (dst.Length < need) throw new ArgumentException($"{type} row of {src.Length} values needs {need} bytes, got {dst.Length}", nameof(dst));
        switch (type)
        {
            case GgmlType.F32: System.Runtime.InteropServices.MemoryMarshal.AsBytes(src).CopyTo(dst); break;
            case GgmlType.F16: HalfConvert.ToHalfBits(src, dst); break;
            case GgmlType.BF16: HalfConvert.ToBf16Bits(src, dst); break;
            case GgmlType.Q8_0: Q8_0Block.QuantizeRow(src, dst); break;
            case GgmlType.Q4_0: Q4_0Block.QuantizeRow(src, dst); break;
            case GgmlType.Q4_K: Q4KBlock.QuantizeRow(src, dst); break;
            case GgmlType.Q6_K: Q6KBlock.QuantizeRow(src, dst); break;
            case GgmlType.Q8_K: Q8KBlock.QuantizeRow(src, dst); break;
            default: throw new NotSupportedException($"quantizing to {type} is not supported; supported: {GgmlTypeInfo.SupportedList}, Q8_K");
        }
    }
}
