using Ponder.Kernels;
using Ponder.Tensors;

namespace Ponder.Core.Tests.Kernels;

/// <summary>MatMul (whatever path is active) against a float64 dot of dequantized weights and
/// dequantized activations: the only gap is float32 accumulation, so a small relative bound holds.</summary>
public unsafe class MatMulScalarTests
{
    public static TheoryData<GgmlType, int> Cases() => new()
    {
        { GgmlType.F32, 96 }, { GgmlType.F16, 512 }, { GgmlType.BF16, 512 }, { GgmlType.Q8_0, 512 },
        { GgmlType.Q4_0, 512 }, { GgmlType.Q4_K, 512 }, { GgmlType.Q6_K, 768 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesDequantizedDot(GgmlType type, int k)
    {
        var rng = new Random(1234);
        const int n = 7, m = 3;
        float[] wf = new float[n * k], xf = new float[m * k];
        for (int i = 0; i < wf.Length; i++) wf[i] = (float)(rng.NextDouble() * 2 - 1);
        for (int i = 0; i < xf.Length; i++) xf[i] = (float)(rng.NextDouble() * 2 - 1);
        int rowBytes = (int)GgmlTypeInfo.RowBytes(type, k);
        byte[] wq = new byte[n * rowBytes];
        for (int o = 0; o < n; o++) Quantize.Row(type, wf.AsSpan(o * k, k), wq.AsSpan(o * rowBytes, rowBytes));
        byte[] xq = new byte[MatMul.ActivationBytes(type, k, m)];
        MatMul.QuantizeActivations(type, xf, k, m, xq);
        float[] y = new float[m * n];
        fixed (byte* pw = wq)
        {
            var w = new WeightMatrix(type, pw, n, k);
            MatMul.Compute(w, xq, m, y, n, 0, n);
        }
        var xt = MatMul.VecDotType(type);
        int xRow = (int)GgmlTypeInfo.RowBytes(xt, k);
        float[] wd = new float[k], xd = new float[k];
        for (int r = 0; r < m; r++)
        {
            Dequantize.Row(xt, xq.AsSpan(r * xRow, xRow), xd);
            for (int o = 0; o < n; o++)
            {
                Dequantize.Row(type, wq.AsSpan(o * rowBytes, rowBytes), wd);
                double exact = 0, mag = 0;
                for (int i = 0; i < k; i++) { exact += (double)wd[i] * xd[i]; mag += Math.Abs((double)wd[i] * xd[i]); }
                // float32 accumulation error is bounded by ~k·2⁻²⁴·Σ|w·x|; 1e-5·Σ|w·x| is ample at these k.
                Assert.True(Math.Abs(y[r * n + o] - exact) <= 1e-5 * mag + 1e-6, $"{type} r={r} o={o}: {y[r * n + o]} vs {exact}");
            }
        }
    }
}
