using System.Runtime.CompilerServices;

namespace Ponder.Kernels;

/// <summary>bfloat16 bit conversions as ggml does them (ggml_compute_fp32_to_bf16 / bf16_to_fp32).
/// .NET has no BFloat16 type in the BCL we target, so the 16-bit pattern travels as ushort.</summary>
public static class Bf16
{
    /// <summary>Round-to-nearest-even; a NaN keeps its top bits and is forced quiet (bit 6 of the
    /// 16-bit pattern), so a signalling NaN never turns into infinity by truncation.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort FromFloat(float f)
    {
        uint u = BitConverter.SingleToUInt32Bits(f);
        if ((u & 0x7fffffff) > 0x7f800000) return (ushort)((u >> 16) | 64);
        return (ushort)((u + (0x7fff + ((u >> 16) & 1))) >> 16);
    }

    /// <summary>Exact: bf16 is the top half of a float32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToFloat(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);
}
