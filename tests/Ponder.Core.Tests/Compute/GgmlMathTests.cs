using System.Runtime.Intrinsics;
using Ponder.Compute;

namespace Ponder.Core.Tests.Compute;

/// <summary>ggml's polynomial exp: accurate (within the 1.5 ulp its authors state, checked here against
/// the C library's expf at 2 ulp), and the 16-lane form equal to the scalar form bit for bit.</summary>
public class GgmlMathTests
{
    static int UlpDistance(float a, float b) => Math.Abs(BitConverter.SingleToInt32Bits(a) - BitConverter.SingleToInt32Bits(b));

    [Fact]
    public void Exp_is_within_two_ulp_of_expf()
    {
        var rng = new Random(5);
        for (int i = 0; i < 200_000; i++)
        {
            float x = (float)(rng.NextDouble() * 170 - 87);
            Assert.True(UlpDistance(GgmlMath.Exp(x), MathF.Exp(x)) <= 2, $"exp({x:R}) = {GgmlMath.Exp(x):R}, expf = {MathF.Exp(x):R}");
        }
        Assert.Equal(1f, GgmlMath.Exp(0f));
        Assert.Equal(0f, GgmlMath.Exp(float.NegativeInfinity));
        Assert.Equal(float.PositiveInfinity, GgmlMath.Exp(200f));
        Assert.True(float.IsNaN(GgmlMath.Exp(float.NaN)));
    }

    [Fact]
    public void Vector_exp_and_silu_equal_the_scalar_forms_bitwise()
    {
        var rng = new Random(6);
        var xs = new float[16];
        for (int i = 0; i < 20_000; i++)
        {
            for (int l = 0; l < 16; l++)
                xs[l] = rng.Next(50) == 0 ? (float)(rng.NextDouble() * 400 - 200) : (float)(rng.NextDouble() * 40 - 20);
            if (i % 1000 == 0) xs[3] = float.NaN;
            var v = GgmlMath.Exp(Vector512.Create(xs));
            for (int l = 0; l < 16; l++)
                Assert.Equal(BitConverter.SingleToInt32Bits(GgmlMath.Exp(xs[l])), BitConverter.SingleToInt32Bits(v[l]));
            var s = (float[])xs.Clone();
            GgmlMath.Silu(s.AsSpan());
            for (int l = 0; l < 16; l++)
                Assert.Equal(BitConverter.SingleToInt32Bits(GgmlMath.Silu(xs[l])), BitConverter.SingleToInt32Bits(s[l]));
        }
    }
}

public class HalfWidenTests
{
    [Fact]
    public unsafe void Widening_equals_System_Half_for_every_bit_pattern()
    {
        var src = new Half[65536 + 7];
        for (int i = 0; i < src.Length; i++) src[i] = BitConverter.UInt16BitsToHalf((ushort)i);
        var dst = new float[src.Length];
        fixed (Half* s = src) fixed (float* d = dst) HalfWiden.ToSingle(s, d, src.Length);
        for (int i = 0; i < src.Length; i++)
        {
            float want = (float)src[i];
            if (float.IsNaN(want)) Assert.True(float.IsNaN(dst[i]), $"bits {i:X4}");
            else Assert.Equal(BitConverter.SingleToInt32Bits(want), BitConverter.SingleToInt32Bits(dst[i]));
        }
    }
}
