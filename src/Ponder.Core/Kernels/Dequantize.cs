using System.Runtime.InteropServices;
using Ponder.Tensors;

namespace Ponder.Kernels;

/// <summary>Decodes rows of any supported type to float32.</summary>
public static class Dequantize
{
    /// <summary>dst.Length values (a whole number of blocks) from src.</summary>
    public static void Row(GgmlType type, ReadOnlySpan<byte> src, Span<float> dst)
    {
        long need = GgmlTypeInfo.RowBytes(type, dst.Length);
        if (src.Length < need) throw new ArgumentException($"{type} row of {dst.Length} values needs {need} bytes, got {src.Length}", nameof(src));
        switch (type)
        {
            case GgmlType.F32: MemoryMarshal.Cast<byte, float>(src[..(int)need]).CopyTo(dst); break;
            case GgmlType.F16: HalfConvert.FromHalfBits(src[..(int)need], dst); break;
            case GgmlType.BF16: HalfConvert.FromBf16Bits(src[..(int)need], dst); break;
            case GgmlType.Q8_0: Q8_0Block.DequantizeRow(src, dst); break;
            case GgmlType.Q4_0: Q4_0Block.DequantizeRow(src, dst); break;
            case GgmlType.Q4_K: Q4KBlock.DequantizeRow(src, dst); break;
            case GgmlType.Q6_K: Q6KBlock.DequantizeRow(src, dst); break;
            case GgmlType.Q8_K: Q8KBlock.DequantizeRow(src, dst); break;
            default: throw new NotSupportedException($"dequantizing {type} is not supported; supported: {GgmlTypeInfo.SupportedList}, Q8_K");
        }
    }
}
