using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace Ponder.Kernels;

/// <summary>Span conversions float ↔ F16/BF16, for rows and for an F16 KV cache. F16 goes through
/// TensorPrimitives (vectorized, round-to-nearest-even, exact widening). BF16 has no BCL type, so it is
/// done here bit-wise as ggml does (see <see cref="Bf16"/>).</summary>
public static class HalfConvert
{
    public static void ToHalf(ReadOnlySpan<float> src, Span<Half> dst) => TensorPrimitives.ConvertToHalf(src, dst);

    public static void ToSingle(ReadOnlySpan<Half> src, Span<float> dst) => TensorPrimitives.ConvertToSingle(src, dst);

    /// <summary>F16 as raw little-endian bytes (2 per value).</summary>
    public static void ToHalfBits(ReadOnlySpan<float> src, Span<byte> dst) =>
        TensorPrimitives.ConvertToHalf(src, MemoryMarshal.Cast<byte, Half>(dst)[..src.Length]);

    public static void FromHalfBits(ReadOnlySpan<byte> src, Span<float> dst) =>
        TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(src)[..dst.Length], dst);

    public static void ToBf16Bits(ReadOnlySpan<float> src, Span<byte> dst)
    {
        var d = MemoryMarshal.Cast<byte, ushort>(dst);
        for (int i = 0; i < src.Length; i++) d[i] = Bf16.FromFloat(src[i]);
    }

    public static void FromBf16Bits(ReadOnlySpan<byte> src, Span<float> dst)
    {
        var s = MemoryMarshal.Cast<byte, ushort>(src);
        for (int i = 0; i < dst.Length; i++) dst[i] = Bf16.ToFloat(s[i]);
    }
}
