using Ponder.Kernels;
using Ponder.Tensors;

namespace Ponder.Core.Tests.Kernels;

/// <summary>Every SIMD path against the scalar reference, and batch invariance within each path.
///
/// Tolerance: none. The kernels are built so that every path performs the same float operations in the
/// same order per output (exact integer block sums, then the fma chains / lane tree fixed in
/// <c>ScalarDots</c>); only which SIMD lane holds a dot differs. So equality is bitwise, and any
/// difference is a bug (a wrong integer part would show up as a large error anyway).</summary>
public unsafe class MatMulPathTests
{
    public static TheoryData<GgmlType> Types() => new()
    {
        GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K,
    };

    static int PickK(Random rng, GgmlType t) => t switch
    {
        GgmlType.Q4_K or GgmlType.Q6_K => 256 * rng.Next(1, 5),
        GgmlType.Q8_0 or GgmlType.Q4_0 => 32 * rng.Next(1, 40),
        _ => rng.Next(1, 4) == 1 ? rng.Next(1, 200) : 32 * rng.Next(1, 40),
    };

    static (byte[] w, byte[] xq) Make(Random rng, GgmlType t, int n, int k, int m)
    {
        int rowBytes = (int)GgmlTypeInfo.RowBytes(t, k);
        var wf = new float[k];
        var w = new byte[n * rowBytes];
        for (int o = 0; o < n; o++)
        {
            // Vary magnitudes per row so fp16 scales span normal and (rarely) subnormal ranges.
            float scale = (float)Math.Pow(10, rng.NextDouble() * 4 - 3);
            for (int i = 0; i < k; i++) wf[i] = (float)(rng.NextDouble() * 2 - 1) * scale;
            Quantize.Row(t, wf, w.AsSpan(o * rowBytes, rowBytes));
        }
        var xf = new float[m * k];
        for (int i = 0; i < xf.Length; i++) xf[i] = (float)(rng.NextDouble() * 2 - 1) * 3;
        var xq = new byte[MatMul.ActivationBytes(t, k, m)];
        MatMul.QuantizeActivations(t, xf, k, m, xq);
        return (w, xq);
    }

    static float[] Run(GgmlType t, byte[] w, byte[] xq, int n, int k, int m, KernelIsa isa, Random? split)
    {
        long xRow = GgmlTypeInfo.RowBytes(MatMul.VecDotType(t), k);
        var y = new float[m * n];
        fixed (byte* pw = w)
        fixed (byte* px = xq)
        fixed (float* py = y)
        {
            var wm = new WeightMatrix(t, pw, n, k);
            if (split == null)
            {
                MatMulKernels.Run(wm, px, xRow, m, py, n, 0, n, isa);
                return y;
            }
            // Random row batches × random output ranges, as a scheduler and a thread split would make them.
            for (int r0 = 0; r0 < m;)
            {
                int r1 = Math.Min(m, r0 + split.Next(1, 7));
                for (int o0 = 0; o0 < n;)
                {
                    int o1 = Math.Min(n, o0 + split.Next(1, 12));
                    MatMulKernels.Run(wm, px + r0 * xRow, xRow, r1 - r0, py + (long)r0 * n, n, o0, o1, isa);
                    o0 = o1;
                }
                r0 = r1;
            }
        }
        return y;
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void SimdPathsEqualScalarBitwise(GgmlType t)
    {
        var rng = new Random(42 + (int)t);
        for (int iter = 0; iter < 12; iter++)
        {
            int n = rng.Next(1, 40), k = PickK(rng, t), m = rng.Next(1, 12);
            var (w, xq) = Make(rng, t, n, k, m);
            var reference = Run(t, w, xq, n, k, m, KernelIsa.Scalar, null);
            foreach (var isa in new[] { KernelIsa.Avx2, KernelIsa.Avx512 })
            {
                if (!KernelPaths.IsAvailable(isa)) continue;
                var got = Run(t, w, xq, n, k, m, isa, null);
                for (int i = 0; i < got.Length; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(reference[i]) == BitConverter.SingleToInt32Bits(got[i]),
                        $"{t} {isa} n={n} k={k} m={m} at {i / n},{i % n}: {got[i]} vs scalar {reference[i]}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(Types))]
    public void BatchInvariantInEveryPath(GgmlType t)
    {
        var rng = new Random(7 + (int)t);
        foreach (var isa in new[] { KernelIsa.Scalar, KernelIsa.Avx2, KernelIsa.Avx512 })
        {
            if (!KernelPaths.IsAvailable(isa)) continue;
            for (int iter = 0; iter < 6; iter++)
            {
                int n = rng.Next(1, 40), k = PickK(rng, t), m = rng.Next(1, 14);
                var (w, xq) = Make(rng, t, n, k, m);
                var whole = Run(t, w, xq, n, k, m, isa, null);
                var pieces = Run(t, w, xq, n, k, m, isa, new Random(iter));
                for (int i = 0; i < whole.Length; i++)
                    Assert.True(BitConverter.SingleToInt32Bits(whole[i]) == BitConverter.SingleToInt32Bits(pieces[i]),
                        $"{t} {isa} n={n} k={k} m={m} at {i / n},{i % n}: batched {whole[i]} vs split {pieces[i]}");
            }
        }
    }

    /// <summary>The shapes the tiles special-case: one activation row (decode tiles of 8 weight rows, ranges
    /// that start off a multiple of 8), row counts around the 8-row tiles (Q4_K) and the m ≥ 8 row
    /// widening (F16/BF16), each whole and split, against the scalar path.</summary>
    [Theory]
    [MemberData(nameof(Types))]
    public void TileEdgeShapesEqualScalar(GgmlType t)
    {
        var rng = new Random(99 + (int)t);
        foreach (int m in new[] { 1, 7, 8, 9, 17 })
        {
            int n = 37, k = PickK(rng, t);
            var (w, xq) = Make(rng, t, n, k, m);
            var reference = Run(t, w, xq, n, k, m, KernelIsa.Scalar, null);
            foreach (var isa in new[] { KernelIsa.Avx2, KernelIsa.Avx512 })
            {
                if (!KernelPaths.IsAvailable(isa)) continue;
                foreach (var split in new[] { null, new Random(m) })
                {
                    var got = Run(t, w, xq, n, k, m, isa, split);
                    for (int i = 0; i < got.Length; i++)
                        Assert.True(BitConverter.SingleToInt32Bits(reference[i]) == BitConverter.SingleToInt32Bits(got[i]),
                            $"{t} {isa} split={split != null} n={n} k={k} m={m} at {i / n},{i % n}: {got[i]} vs scalar {reference[i]}");
                }
            }
        }
    }
}
