using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Ponder.Compute;

/// <summary>
/// Scalar and vector functions that reproduce, bit for bit, the float arithmetic llama.cpp's CPU
/// backend uses on an AVX-512 machine: its polynomial exp (ggml_v_expf, used by softmax and SiLU),
/// the 16-lane reduction order of _mm512_reduce_add_ps, and ggml_vec_dot_f16's four 16-lane
/// accumulators. Quantized models amplify last-bit differences (one activation rounding to the
/// other Q8 step moves later logits by ~0.1), so matching llama.cpp to the reference tolerance
/// needs the same operations in the same order, not merely an accurate result. The operations
/// are written with Vector512 and FusedMultiplyAdd, which give identical results in software on
/// machines without AVX-512, so outputs do not depend on the CPU.
/// </summary>
public static class GgmlMath
{
    // ggml_v_expf's constants, given by their bits (the C source writes them as hex floats).
    static readonly float Shift = BitConverter.UInt32BitsToSingle(0x4B400000);   // 0x1.8p23
    static readonly float Log2E = BitConverter.UInt32BitsToSingle(0x3FB8AA3B);   // 0x1.715476p+0
    static readonly float Ln2Lo = BitConverter.UInt32BitsToSingle(0x35BFBE8E);   // 0x1.7f7d1cp-20
    static readonly float Ln2Hi = BitConverter.UInt32BitsToSingle(0x3F317200);   // 0x1.62e4p-1
    static readonly float C5 = BitConverter.UInt32BitsToSingle(0x3C072010);      // 0x1.0e4020p-7
    static readonly float C4 = BitConverter.UInt32BitsToSingle(0x3D2B9F17);      // 0x1.573e2ep-5
    static readonly float C3 = BitConverter.UInt32BitsToSingle(0x3E2AAF33);      // 0x1.555e66p-3
    static readonly float C2 = BitConverter.UInt32BitsToSingle(0x3EFFFEDB);      // 0x1.fffdb6p-2
    static readonly float C1 = BitConverter.UInt32BitsToSingle(0x3F7FFFF6);      // 0x1.ffffecp-1

    /// <summary>ggml_v_expf (ARM optimized-routines algorithm): max error about 1.5 ulp.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Exp(float x)
    {
        float z = MathF.FusedMultiplyAdd(x, Log2E, Shift);
        float n = z - Shift;
        if (float.IsNaN(n)) return x;
        if (MathF.Abs(n) > 192f) return n > 0 ? float.PositiveInfinity : 0f;
        float b = MathF.FusedMultiplyAdd(-n, Ln2Lo, MathF.FusedMultiplyAdd(-n, Ln2Hi, x));
        float u = b * b;
        float j = MathF.FusedMultiplyAdd(
            MathF.FusedMultiplyAdd(MathF.FusedMultiplyAdd(C5, b, C4), u, MathF.FusedMultiplyAdd(C3, b, C2)),
            u,
            MathF.FusedMultiplyAdd(C1, b, 1.0f));
        return MathF.ScaleB(j, (int)n); // _mm512_scalef_ps: exact scaling by 2^n
    }

    /// <summary><see cref="Exp(float)"/> on 16 lanes with the same operations, so every lane equals the scalar
    /// result bit for bit; 2^n is built from its exponent bits where it is a normal float, and lanes
    /// outside that range (results that overflow or are subnormal) take the scalar path.</summary>
    public static Vector512<float> Exp(Vector512<float> x)
    {
        var shift = Vector512.Create(Shift);
        var z = Vector512.FusedMultiplyAdd(x, Vector512.Create(Log2E), shift);
        var n = z - shift;
        var inRange = Vector512.LessThanOrEqual(Vector512.Abs(n), Vector512.Create(126f));
        if (!Vector512.EqualsAll(inRange.AsInt32(), Vector512<int>.AllBitsSet))
        {
            Span<float> lanes = stackalloc float[16];
            x.CopyTo(lanes);
            for (int i = 0; i < 16; i++) lanes[i] = Exp(lanes[i]);
            return Vector512.Create((ReadOnlySpan<float>)lanes);
        }
        var b = Vector512.FusedMultiplyAdd(-n, Vector512.Create(Ln2Lo), Vector512.FusedMultiplyAdd(-n, Vector512.Create(Ln2Hi), x));
        var u = b * b;
        var j = Vector512.FusedMultiplyAdd(
            Vector512.FusedMultiplyAdd(Vector512.FusedMultiplyAdd(Vector512.Create(C5), b, Vector512.Create(C4)), u,
                Vector512.FusedMultiplyAdd(Vector512.Create(C3), b, Vector512.Create(C2))),
            u,
            Vector512.FusedMultiplyAdd(Vector512.Create(C1), b, Vector512<float>.One));
        var pow2 = (Vector512.ConvertToInt32(n) + Vector512.Create(127)) << 23;
        return j * pow2.AsSingle();
    }

    /// <summary>SiLU in place over a span, 16 lanes at a time (bitwise equal to <see cref="Silu(float)"/>).</summary>
    public static void Silu(Span<float> x)
    {
        int i = 0;
        for (; i + 16 <= x.Length; i += 16)
        {
            var v = Vector512.Create((ReadOnlySpan<float>)x.Slice(i, 16));
            (v / (Vector512<float>.One + Exp(-v))).CopyTo(x.Slice(i, 16));
        }
        for (; i < x.Length; i++) x[i] = Silu(x[i]);
    }

    /// <summary>ggml_v_silu: x / (1 + exp(-x)) with the polynomial exp.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Silu(float x) => x / (1.0f + Exp(-x));

    /// <summary>_mm512_reduce_add_ps as GCC defines it: halves, then quarters, then pairs.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float ReduceAdd(Vector512<float> a)
    {
        var t3 = a.GetUpper() + a.GetLower();
        var t6 = t3.GetUpper() + t3.GetLower();
        float t80 = t6[0] + t6[2];
        float t81 = t6[1] + t6[3];
        return t80 + t81;
    }

    /// <summary>ggml_vec_dot_f16 on AVX-512 for operands already widened to float (F16 products are
    /// exact in float): 64 values per step in four 16-lane FMA accumulators, combined as
    /// (a0+a2)+(a1+a3), reduced, then a scalar tail accumulated in double.</summary>
    public static unsafe float DotF16Order(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        fixed (float* px = x, py = y) return DotF16Order(px, py, x.Length);
    }

    /// <inheritdoc cref="DotF16Order(ReadOnlySpan{float}, ReadOnlySpan{float})"/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe float DotF16Order(float* x, float* y, int n)
    {
        int np = n & ~63;
        double sum = 0;
        if (np > 0)
        {
            Vector512<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (int i = 0; i < np; i += 64)
            {
                a0 = Vector512.FusedMultiplyAdd(Vector512.Load(x + i), Vector512.Load(y + i), a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.Load(x + i + 16), Vector512.Load(y + i + 16), a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.Load(x + i + 32), Vector512.Load(y + i + 32), a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.Load(x + i + 48), Vector512.Load(y + i + 48), a3);
            }
            sum = ReduceAdd((a0 + a2) + (a1 + a3));
        }
        for (int i = np; i < n; i++) sum += x[i] * y[i];
        return (float)sum;
    }
}
