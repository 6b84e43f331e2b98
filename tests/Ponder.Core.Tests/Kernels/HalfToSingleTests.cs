using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Ponder.Kernels;

namespace Ponder.Core.Tests.Kernels;

/// <summary>The vector fp16→fp32 widening used by the F16 kernels, for all 65536 bit patterns, against
/// System.Half (bit-equal; NaN stays NaN with the same sign).</summary>
public class HalfToSingleTests
{
    static void Check(ushort bits, float got)
    {
        float want = (float)BitConverter.UInt16BitsToHalf(bits);
        if (float.IsNaN(want))
            Assert.True(float.IsNaN(got) && float.IsNegative(got) == float.IsNegative(want), $"0x{bits:X4}: {got}");
        else
            Assert.True(BitConverter.SingleToInt32Bits(want) == BitConverter.SingleToInt32Bits(got),
                $"0x{bits:X4}: got 0x{BitConverter.SingleToInt32Bits(got):X8}, want 0x{BitConverter.SingleToInt32Bits(want):X8}");
    }

    [Fact]
    public void EveryHalfWidensExactly256()
    {
        if (!Avx2.IsSupported) return;
        var lanes = new ushort[8];
        for (int b = 0; b < 65536; b += 8)
        {
            for (int i = 0; i < 8; i++) lanes[i] = (ushort)(b + i);
            var f = SimdHelpers.HalfToSingle(Vector128.Create(lanes));
            for (int i = 0; i < 8; i++) Check(lanes[i], f.GetElement(i));
        }
    }

    [Fact]
    public void EveryHalfWidensExactly512()
    {
        if (!Avx512F.IsSupported) return;
        var lanes = new ushort[16];
        for (int b = 0; b < 65536; b += 16)
        {
            for (int i = 0; i < 16; i++) lanes[i] = (ushort)(b + i);
            var f = SimdHelpers.HalfToSingle(Vector256.Create(lanes));
            for (int i = 0; i < 16; i++) Check(lanes[i], f.GetElement(i));
        }
    }
}
