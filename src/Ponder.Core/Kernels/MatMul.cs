using System.Runtime.InteropServices;
using Ponder.Tensors;

namespace Ponder.Kernels;

/// <summary>
/// y = x · Wᵀ for a weight matrix W [N rows × K] and activations x [m rows × K].
/// Activations are first converted to the weight type's vec-dot type (as llama.cpp does:
/// Q8_0 for Q4_0/Q8_0, Q8_K for the K-quants, F16 for F16, BF16 for BF16, F32 for F32).
/// Contract relied on by the models: the value of y[r, o] is bit-identical whatever m is and
/// whatever output range [o0, o1) the call covers (batch invariance).
/// </summary>
public static class MatMul
{
    public static GgmlType VecDotType(GgmlType weightType) => weightType switch
    {
        GgmlType.F32 => GgmlType.F32,
        GgmlType.F16 => GgmlType.F16,
        GgmlType.BF16 => GgmlType.BF16,
        GgmlType.Q8_0 or GgmlType.Q4_0 => GgmlType.Q8_0,
        GgmlType.Q4_K or GgmlType.Q6_K => GgmlType.Q8_K,
        _ => throw new NotSupportedException($"matrix multiply with {weightType} weights is not supported; supported: {GgmlTypeInfo.SupportedList}"),
    };

    /// <summary>Bytes to hold m rows of k activations converted to VecDotType(weightType).</summary>
    public static long ActivationBytes(GgmlType weightType, int k, int m) =>
        GgmlTypeInfo.RowBytes(VecDotType(weightType), k) * m;

    /// <summary>Converts m rows of k floats to the vec-dot type of <paramref name="weightType"/>.</summary>
    public static void QuantizeActivations(GgmlType weightType, ReadOnlySpan<float> x, int k, int m, Span<byte> dst)
    {
        GgmlType t = VecDotType(weightType);
        int rowBytes = (int)GgmlTypeInfo.RowBytes(t, k);
        if (x.Length < (long)k * m) throw new ArgumentException($"need {m}×{k} activations, got {x.Length}", nameof(x));
        if (dst.Length < (long)rowBytes * m) throw new ArgumentException($"need {rowBytes * (long)m} bytes, got {dst.Length}", nameof(dst));
        for (int r = 0; r < m; r++)
        {
            var src = x.Slice(r * k, k);
            var d = dst.Slice(r * rowBytes, rowBytes);
            switch (t)
            {
                case GgmlType.Q8_0: Q8_0Block.QuantizeActivationRow(src, d); break;
                case GgmlType.Q8_K: Q8KBlock.QuantizeRow(src, d); break;
                case GgmlType.F16: HalfConvert.ToHalfBits(src, d); break;
                case GgmlType.BF16: HalfConvert.ToBf16Bits(src, d); break;
                default: MemoryMarshal.AsBytes(src).CopyTo(d); break;
            }
        }
    }

    /// <summary>y[r * ldy + o] = dot(W row o, xq row r) for o in [o0, o1) and r in [0, m).</summary>
    public static unsafe void Compute(in WeightMatrix w, ReadOnlySpan<byte> xq, int m, Span<float> y, int ldy, int o0, int o1)
    {
        if (o0 < 0 || o1 > w.Rows || o0 > o1) throw new ArgumentOutOfRangeException(nameof(o0), $"output range [{o0}, {o1}) is outside [0, {w.Rows})");
        if (m <= 0 || o0 == o1) return;
        int k = w.Cols;
        long xRow = GgmlTypeInfo.RowBytes(VecDotType(w.Type), k);
        if (xq.Length < xRow * m) throw new ArgumentException($"activations: need {xRow * m} bytes for {m} rows, got {xq.Length}", nameof(xq));
        if (y.Length < (long)(m - 1) * ldy + o1) throw new ArgumentException($"output: need {(long)(m - 1) * ldy + o1} floats, got {y.Length}", nameof(y));
        fixed (byte* px = xq)
        fixed (float* py = y)
        {
            MatMulKernels.Run(w, px, xRow, m, py, ldy, o0, o1, KernelPaths.Active);
        }
    }
}
