using Ponder.Kernels;

namespace Ponder.Core.Tests.Kernels;

public class HalfDotTests
{
    /// <summary>DotF16 equals the scalar F32 reference dot of the widened values bitwise (same 32-lane order).</summary>
    [Theory]
    [InlineData(64)]
    [InlineData(128)]
    [InlineData(77)]
    [InlineData(1)]
    public unsafe void DotF16MatchesScalarReference(int n)
    {
        var rng = new Random(n);
        var q = new float[n];
        var k = new Half[n];
        var kf = new float[n];
        for (int i = 0; i < n; i++) { q[i] = (float)rng.NextDouble() - 0.5f; k[i] = (Half)(rng.NextDouble() - 0.5); kf[i] = (float)k[i]; }
        float got = HalfDot.DotF16(q, k);
        float want;
        fixed (float* pk = kf)
        fixed (float* pq = q)
            want = ScalarDots.F32((byte*)pk, (byte*)pq, n);
        Assert.Equal(BitConverter.SingleToInt32Bits(want), BitConverter.SingleToInt32Bits(got));
    }

    [Fact]
    public void AddScaledIsOneFmaPerElement()
    {
        var rng = new Random(3);
        var acc = new float[37];
        var v = new Half[37];
        for (int i = 0; i < 37; i++) { acc[i] = (float)rng.NextDouble(); v[i] = (Half)rng.NextDouble(); }
        var want = acc.Select((a, i) => MathF.FusedMultiplyAdd((float)v[i], 0.37f, a)).ToArray();
        HalfDot.AddScaled(acc, 0.37f, v);
        Assert.Equal(want, acc);
    }
}
