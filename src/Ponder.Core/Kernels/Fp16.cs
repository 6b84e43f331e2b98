using System.Runtime.CompilerServices;

namespace Ponder.Kernels;

/// <summary>IEEE half conversions on raw 16-bit patterns, as block headers store them.
/// System.Half's conversions are exact (half→float) and round-to-nearest-even (float→half), which is
/// what ggml's F16C path (_cvtss_sh with rounding mode 0) does, so files match bit for bit.</summary>
public static class Fp16
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ToFloat(ushort bits) => (float)BitConverter.UInt16BitsToHalf(bits);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ushort FromFloat(float f) => BitConverter.HalfToUInt16Bits((Half)f);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe float Load(byte* p) => ToFloat(*(ushort*)p);
}
