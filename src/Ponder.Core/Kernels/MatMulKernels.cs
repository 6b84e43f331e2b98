using System.Runtime.Intrinsics.X86;
using Ponder.Tensors;

namespace Ponder.Kernels;

/// <summary>Routes a matrix multiply to the kernel for its weight type and instruction set.</summary>
internal static unsafe class MatMulKernels
{
    public static void Run(in WeightMatrix w, byte* x, long xRow, int m, float* y, int ldy, int o0, int o1, KernelIsa isa)
    {
        if (isa != KernelIsa.Scalar)
        {
            bool vnni = isa == KernelIsa.Avx512 && AvxVnni.IsSupported;
            switch (w.Type)
            {
                case GgmlType.Q8_0:
                    if (vnni) Block32MatMul.Run<Q8_0Weights, VnniDot8>(w, x, xRow, m, y, ldy, o0, o1);
                    else Block32MatMul.Run<Q8_0Weights, MaddDot8>(w, x, xRow, m, y, ldy, o0, o1);
                    return;
                case GgmlType.Q4_0:
                    if (vnni) Q4_0MatMul.Run<VnniDot8>(w, x, xRow, m, y, ldy, o0, o1);
                    else Q4_0MatMul.Run<MaddDot8>(w, x, xRow, m, y, ldy, o0, o1);
                    return;
                case GgmlType.Q4_K:
                    Q4KMatMul.Run(w, x, xRow, m, y, ldy, o0, o1);
                    return;
                case GgmlType.Q6_K:
                    RunPerDot(w, x, xRow, m, y, ldy, o0, o1, vnni ? &KQuantDots.Q6_KVnni : &KQuantDots.Q6_KAvx2);
                    return;
                case GgmlType.F32:
                    FloatMatMul.Run<F32Elems>(w, x, xRow, m, y, ldy, o0, o1, isa == KernelIsa.Avx512, true, false);
                    return;
                case GgmlType.F16:
                    FloatMatMul.Run<F16Elems>(w, x, xRow, m, y, ldy, o0, o1, isa == KernelIsa.Avx512, false, false);
                    return;
                case GgmlType.BF16:
                    FloatMatMul.Run<Bf16Elems>(w, x, xRow, m, y, ldy, o0, o1, isa == KernelIsa.Avx512, false, true);
                    return;
            }
        }
        delegate*<byte*, byte*, int, float> dot = w.Type switch
        {
            GgmlType.F32 => &ScalarDots.F32,
            GgmlType.F16 => &ScalarDots.F16,
            GgmlType.BF16 => &ScalarDots.BF16,
            GgmlType.Q8_0 => &ScalarDots.Q8_0,
            GgmlType.Q4_0 => &ScalarDots.Q4_0,
            GgmlType.Q4_K => &ScalarDots.Q4_K,
            GgmlType.Q6_K => &ScalarDots.Q6_K,
            _ => throw new NotSupportedException($"matrix multiply with {w.Type} weights is not supported"),
        };
        RunPerDot(w, x, xRow, m, y, ldy, o0, o1, dot);
    }

    /// <summary>One dot per (r, o): batch-invariant by construction.</summary>
    public static void RunPerDot(in WeightMatrix w, byte* x, long xRow, int m, float* y, int ldy, int o0, int o1,
        delegate*<byte*, byte*, int, float> dot)
    {
        int k = w.Cols;
        for (int o = o0; o < o1; o++)
        {
            byte* wr = w.Row(o);
            for (int r = 0; r < m; r++) y[(long)r * ldy + o] = dot(wr, x + r * xRow, k);
        }
    }
}
