using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ponder.Kernels;

/// <summary>Dots against an F16 KV cache: q (float32) · k (Half). For attention scores (q·k per cached
/// position) and, with <see cref="AddScaled"/>, the weighted sum of values. Deterministic: the same
/// 32-lane order as <see cref="ScalarDots.F32"/> on every path, so scores never depend on batch shape.</summary>
public static unsafe class HalfDot
{
    public static float DotF16(ReadOnlySpan<float> q, ReadOnlySpan<Half> k)
    {
        if (k.Length < q.Length) throw new ArgumentException($"k has {k.Length} values, q {q.Length}", nameof(k));
        int n = q.Length;
        float* a = stackalloc float[32];
        fixed (float* pq = q)
        fixed (Half* pk = k)
        {
            byte* w = (byte*)pk;
            int i = 0;
            var isa = KernelPaths.Active;
            if (isa == KernelIsa.Avx512)
            {
                var a0 = Vector512<float>.Zero; var a1 = Vector512<float>.Zero;
                for (; i + 32 <= n; i += 32)
                {
                    a0 = Avx512F.FusedMultiplyAdd(F16Elems.Load16(w, i), Avx512F.LoadVector512(pq + i), a0);
                    a1 = Avx512F.FusedMultiplyAdd(F16Elems.Load16(w, i + 16), Avx512F.LoadVector512(pq + i + 16), a1);
                }
                Avx512F.Store(a, a0); Avx512F.Store(a + 16, a1);
            }
            else if (isa == KernelIsa.Avx2)
            {
                var a0 = Vector256<float>.Zero; var a1 = Vector256<float>.Zero;
                var a2 = Vector256<float>.Zero; var a3 = Vector256<float>.Zero;
                for (; i + 32 <= n; i += 32)
                {
                    a0 = Fma.MultiplyAdd(F16Elems.Load8(w, i), Avx.LoadVector256(pq + i), a0);
                    a1 = Fma.MultiplyAdd(F16Elems.Load8(w, i + 8), Avx.LoadVector256(pq + i + 8), a1);
                    a2 = Fma.MultiplyAdd(F16Elems.Load8(w, i + 16), Avx.LoadVector256(pq + i + 16), a2);
                    a3 = Fma.MultiplyAdd(F16Elems.Load8(w, i + 24), Avx.LoadVector256(pq + i + 24), a3);
                }
                Avx.Store(a, a0); Avx.Store(a + 8, a1); Avx.Store(a + 16, a2); Avx.Store(a + 24, a3);
            }
            else new Span<float>(a, 32).Clear();
            for (; i < n; i++) a[i & 31] = MathF.FusedMultiplyAdd((float)pk[i], pq[i], a[i & 31]);
            return ScalarDots.Reduce32(a);
        }
    }

    /// <summary>acc += s · v for an F16 row v (the attention-weighted sum of values). Element-wise, so
    /// the result is the same on every path (one fma per element).</summary>
    public static void AddScaled(Span<float> acc, float s, ReadOnlySpan<Half> v)
    {
        if (v.Length < acc.Length) throw new ArgumentException($"v has {v.Length} values, acc {acc.Length}", nameof(v));
        int n = acc.Length, i = 0;
        fixed (float* pa = acc)
        fixed (Half* pv = v)
        {
            if (KernelPaths.Active != KernelIsa.Scalar)
            {
                var sv = Vector256.Create(s);
                for (; i + 8 <= n; i += 8)
                    Avx.Store(pa + i, Fma.MultiplyAdd(F16Elems.Load8((byte*)pv, i), sv, Avx.LoadVector256(pa + i)));
            }
            for (; i < n; i++) pa[i] = MathF.FusedMultiplyAdd((float)pv[i], s, pa[i]);
        }
    }
}
