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
    public static GgmlType VecDotType(GgmlType weightType) => throw new NotImplementedException();

    /// <summary>Bytes to hold m rows of k activations converted to VecDotType(weightType).</summary>
    public static long ActivationBytes(GgmlType weightType, int k, int m) => throw new NotImplementedException();

    /// <summary>Converts m rows of k floats to the vec-dot type of <paramref name="weightType"/>.</summary>
    public static void QuantizeActivations(GgmlType weightType, ReadOnlySpan<float> x, int k, int m, Span<byte> dst) =>
        throw new NotImplementedException();

    /// <summary>y[r * ldy + o] = dot(W row o, xq row r) for o in [o0, o1) and r in [0, m).</summary>
    public static void Compute(in WeightMatrix w, ReadOnlySpan<byte> xq, int m, Span<float> y, int ldy, int o0, int o1) =>
        throw new NotImplementedException();
}
