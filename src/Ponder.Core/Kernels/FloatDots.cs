using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ponder.Kernels;

/// <summary>How a float-like weight element type widens to float32 lanes (all exact).</summary>
internal unsafe interface IFloatElems
{
    static abstract int Size { get; }
    static abstract float Scalar(byte* p, int i);
    static abstract Vector256<float> Load8(byte* p, int i);
    static abstract Vector512<float> Load16(byte* p, int i);
}

internal unsafe struct F32Elems : IFloatElems
{
    public static int Size => 4;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Scalar(byte* p, int i) => ((float*)p)[i];
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load8(byte* p, int i) => Avx.LoadVector256((float*)p + i);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load16(byte* p, int i) => Avx512F.LoadVector512((float*)p + i);
}

internal unsafe struct F16Elems : IFloatElems
{
    public static int Size => 2;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Scalar(byte* p, int i) => Fp16.ToFloat(((ushort*)p)[i]);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Load8(byte* p, int i) => SimdHelpers.HalfToSingle(Sse2.LoadVector128((ushort*)p + i));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Load16(byte* p, int i) => SimdHelpers.HalfToSingle(Avx.LoadVector256((ushort*)p + i));
}

internal unsafe struct Bf16Elems : IFloatElems
{
    public static int Size => 2;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Scalar(byte* p, int i) => Bf16.ToFloat(((ushort*)p)[i]);
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load8(byte* p, int i) => Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32((ushort*)p + i), 16).AsSingle();
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load16(byte* p, int i) => Avx512F.ShiftLeftLogical(Avx512F.ConvertToVector512Int32(Avx.LoadVector256((ushort*)p + i)), 16).AsSingle();
}

/// <summary>F32/F16/BF16 weight matmul. Activations are widened to float32 once per call (exact), then
/// each dot runs the 32-lane scheme of <see cref="ScalarDots.F32"/> (element i into lane i mod 32, fma,
/// then <see cref="ScalarDots.Reduce32"/>), so results equal the scalar path bit for bit whatever the tile.
/// The 512-bit path holds the 32 lanes in 2 registers, the 256-bit one in 4; a 4-row tile shares each
/// weight load across 4 activation rows.</summary>
internal static unsafe class FloatMatMul
{
    public static void Run<TW>(in WeightMatrix w, byte* x, long xRow, int m, float* y, int ldy, int o0, int o1, bool wide, bool xIsF32, bool xIsBf16)
        where TW : IFloatElems
    {
        int k = w.Cols;
        float* xf;
        bool own = !xIsF32;
        if (own)
        {
            xf = (float*)NativeMemory.Alloc((nuint)((long)m * k * 4));
            for (int r = 0; r < m; r++)
            {
                var src = new ReadOnlySpan<byte>(x + r * xRow, 2 * k);
                var dst = new Span<float>(xf + (long)r * k, k);
                if (xIsBf16) HalfConvert.FromBf16Bits(src, dst);
                else HalfConvert.FromHalfBits(src, dst);
            }
        }
        else xf = (float*)x;
        // With several activation rows, widen each 16-bit weight row to float32 once (exact, so the dots
        // are unchanged) and run the F32 tiles on it: the conversion is then paid once per row, not per tile.
        bool widenRow = TW.Size == 2 && m >= 8;
        float* wf = widenRow ? (float*)NativeMemory.AlignedAlloc((nuint)((long)k * 8 + 64), 64) : null;
        try
        {
            if (widenRow)
            {
                float* lanes = stackalloc float[32 * 8];
                int o = o0;
                if (wide)
                {
                    // Two weight rows × four activation rows per tile (16 accumulators): each x load feeds two fmas.
                    float* wf1 = wf + k;
                    for (; o + 2 <= o1; o += 2)
                    {
                        Widen<TW>(w.Row(o), wf, k, wide);
                        Widen<TW>(w.Row(o + 1), wf1, k, wide);
                        int r = 0;
                        for (; r + 4 <= m; r += 4)
                        {
                            Lanes2x4x512(wf, wf1, xf + (long)r * k, k, lanes);
                            for (int i = 0; i < 4; i++)
                            {
                                y[(long)(r + i) * ldy + o] = ScalarDots.Reduce32(lanes + 32 * i);
                                y[(long)(r + i) * ldy + o + 1] = ScalarDots.Reduce32(lanes + 128 + 32 * i);
                            }
                        }
                        for (; r < m; r++)
                        {
                            y[(long)r * ldy + o] = Dot1x512<F32Elems>((byte*)wf, xf + (long)r * k, k);
                            y[(long)r * ldy + o + 1] = Dot1x512<F32Elems>((byte*)wf1, xf + (long)r * k, k);
                        }
                    }
                }
                for (; o < o1; o++)
                {
                    Widen<TW>(w.Row(o), wf, k, wide);
                    byte* wr = (byte*)wf;
                    int r = 0;
                    for (; r + 4 <= m; r += 4)
                    {
                        if (wide) Lanes4x512<F32Elems>(wr, xf + (long)r * k, k, lanes);
                        else Lanes4x256<F32Elems>(wr, xf + (long)r * k, k, lanes);
                        for (int i = 0; i < 4; i++) y[(long)(r + i) * ldy + o] = ScalarDots.Reduce32(lanes + 32 * i);
                    }
                    for (; r < m; r++)
                    {
                        if (wide)
                        {
                            y[(long)r * ldy + o] = Dot1x512<F32Elems>(wr, xf + (long)r * k, k);
                            continue;
                        }
                        Lanes1x256<F32Elems>(wr, xf + (long)r * k, k, lanes);
                        y[(long)r * ldy + o] = ScalarDots.Reduce32(lanes);
                    }
                }
                return;
            }
            float* lanes4 = stackalloc float[32 * 4];
            RunDirect<TW>(w, xf, m, y, ldy, o0, o1, wide, lanes4);
        }
        finally
        {
            if (own) NativeMemory.Free(xf);
            if (wf != null) NativeMemory.AlignedFree(wf);
        }
    }

    /// <summary>dst[i] = (float)w[i], exactly (vector widening, scalar tail).</summary>
    static void Widen<TW>(byte* w, float* dst, int k, bool wide) where TW : IFloatElems
    {
        int i = 0;
        if (wide) for (; i + 16 <= k; i += 16) Avx512F.Store(dst + i, TW.Load16(w, i));
        else for (; i + 8 <= k; i += 8) Avx.Store(dst + i, TW.Load8(w, i));
        for (; i < k; i++) dst[i] = TW.Scalar(w, i);
    }

    static void RunDirect<TW>(in WeightMatrix w, float* xf, int m, float* y, int ldy, int o0, int o1, bool wide, float* lanes)
        where TW : IFloatElems
    {
        int k = w.Cols;
        {
            for (int o = o0; o < o1; o++)
            {
                byte* wr = w.Row(o);
                int r = 0;
                for (; r + 4 <= m; r += 4)
                {
                    if (wide) Lanes4x512<TW>(wr, xf + (long)r * k, k, lanes);
                    else Lanes4x256<TW>(wr, xf + (long)r * k, k, lanes);
                    for (int i = 0; i < 4; i++) y[(long)(r + i) * ldy + o] = ScalarDots.Reduce32(lanes + 32 * i);
                }
                for (; r < m; r++)
                {
                    if (wide)
                    {
                        y[(long)r * ldy + o] = Dot1x512<TW>(wr, xf + (long)r * k, k);
                        continue;
                    }
                    Lanes1x256<TW>(wr, xf + (long)r * k, k, lanes);
                    y[(long)r * ldy + o] = ScalarDots.Reduce32(lanes);
                }
            }
        }
    }

    /// <summary>One row's dot in ggml's 32-lane order: two 16-lane accumulators, the tail (past the last
    /// whole 32) added lane by lane, then <see cref="ScalarDots.Reduce32"/>'s tree. Without a tail the lanes
    /// are reduced in registers: each halving step of the tree is one elementwise vector add (the same adds,
    /// so the same result), instead of 31 dependent scalar adds through memory, which had made a short row's
    /// dot several times slower than its multiplies (small models decode row by row).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static float Dot1x512<TW>(byte* w, float* x, int k) where TW : IFloatElems
    {
        var a0 = Vector512<float>.Zero; var a1 = Vector512<float>.Zero;
        int i = 0;
        for (; i + 32 <= k; i += 32)
        {
            a0 = Avx512F.FusedMultiplyAdd(TW.Load16(w, i), Avx512F.LoadVector512(x + i), a0);
            a1 = Avx512F.FusedMultiplyAdd(TW.Load16(w, i + 16), Avx512F.LoadVector512(x + i + 16), a1);
        }
        if (i < k)
        {
            float* a = stackalloc float[32];
            Avx512F.Store(a, a0); Avx512F.Store(a + 16, a1);
            Tail<TW>(w, x, i, k, a);
            return ScalarDots.Reduce32(a);
        }
        var v16 = a0 + a1;                              // a[i] += a[i + 16]
        var v8 = v16.GetLower() + v16.GetUpper();       // a[i] += a[i + 8]
        var v4 = v8.GetLower() + v8.GetUpper();         // a[i] += a[i + 4]
        var v2 = v4 + Sse.MoveHighToLow(v4, v4);        // a[i] += a[i + 2]
        return v2.ToScalar() + v2.GetElement(1);        // a[0] + a[1]
    }

    /// <summary>Tail elements (past the last whole 32) go into their lanes one at a time, as in the scalar path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Tail<TW>(byte* w, float* x, int from, int k, float* a) where TW : IFloatElems
    {
        for (int i = from; i < k; i++) a[i & 31] = MathF.FusedMultiplyAdd(TW.Scalar(w, i), x[i], a[i & 31]);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Lanes4x512<TW>(byte* w, float* x, int k, float* a) where TW : IFloatElems
    {
        var a00 = Vector512<float>.Zero; var a01 = Vector512<float>.Zero;
        var a10 = Vector512<float>.Zero; var a11 = Vector512<float>.Zero;
        var a20 = Vector512<float>.Zero; var a21 = Vector512<float>.Zero;
        var a30 = Vector512<float>.Zero; var a31 = Vector512<float>.Zero;
        float* x0 = x, x1 = x + k, x2 = x + 2 * k, x3 = x + 3 * k;
        int i = 0;
        for (; i + 32 <= k; i += 32)
        {
            var w0 = TW.Load16(w, i); var w1 = TW.Load16(w, i + 16);
            a00 = Avx512F.FusedMultiplyAdd(w0, Avx512F.LoadVector512(x0 + i), a00);
            a01 = Avx512F.FusedMultiplyAdd(w1, Avx512F.LoadVector512(x0 + i + 16), a01);
            a10 = Avx512F.FusedMultiplyAdd(w0, Avx512F.LoadVector512(x1 + i), a10);
            a11 = Avx512F.FusedMultiplyAdd(w1, Avx512F.LoadVector512(x1 + i + 16), a11);
            a20 = Avx512F.FusedMultiplyAdd(w0, Avx512F.LoadVector512(x2 + i), a20);
            a21 = Avx512F.FusedMultiplyAdd(w1, Avx512F.LoadVector512(x2 + i + 16), a21);
            a30 = Avx512F.FusedMultiplyAdd(w0, Avx512F.LoadVector512(x3 + i), a30);
            a31 = Avx512F.FusedMultiplyAdd(w1, Avx512F.LoadVector512(x3 + i + 16), a31);
        }
        Avx512F.Store(a, a00); Avx512F.Store(a + 16, a01);
        Avx512F.Store(a + 32, a10); Avx512F.Store(a + 48, a11);
        Avx512F.Store(a + 64, a20); Avx512F.Store(a + 80, a21);
        Avx512F.Store(a + 96, a30); Avx512F.Store(a + 112, a31);
        for (int r = 0; r < 4; r++) Tail<TW>(w, x + (long)r * k, i, k, a + 32 * r);
    }

    /// <summary>Lanes4x512 for two widened weight rows at once: lanes of (w0, row r) at a + 32r, of (w1, row r)
    /// at a + 128 + 32r; per pair the same fma chain.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Lanes2x4x512(float* w0, float* w1, float* x, int k, float* a)
    {
        var a00 = Vector512<float>.Zero; var a01 = Vector512<float>.Zero; var b00 = Vector512<float>.Zero; var b01 = Vector512<float>.Zero;
        var a10 = Vector512<float>.Zero; var a11 = Vector512<float>.Zero; var b10 = Vector512<float>.Zero; var b11 = Vector512<float>.Zero;
        var a20 = Vector512<float>.Zero; var a21 = Vector512<float>.Zero; var b20 = Vector512<float>.Zero; var b21 = Vector512<float>.Zero;
        var a30 = Vector512<float>.Zero; var a31 = Vector512<float>.Zero; var b30 = Vector512<float>.Zero; var b31 = Vector512<float>.Zero;
        float* x0 = x, x1 = x + k, x2 = x + 2 * k, x3 = x + 3 * k;
        int i = 0;
        for (; i + 32 <= k; i += 32)
        {
            var p0 = Avx512F.LoadVector512(w0 + i); var p1 = Avx512F.LoadVector512(w0 + i + 16);
            var q0 = Avx512F.LoadVector512(w1 + i); var q1 = Avx512F.LoadVector512(w1 + i + 16);
            var v = Avx512F.LoadVector512(x0 + i); a00 = Avx512F.FusedMultiplyAdd(p0, v, a00); b00 = Avx512F.FusedMultiplyAdd(q0, v, b00);
            v = Avx512F.LoadVector512(x0 + i + 16); a01 = Avx512F.FusedMultiplyAdd(p1, v, a01); b01 = Avx512F.FusedMultiplyAdd(q1, v, b01);
            v = Avx512F.LoadVector512(x1 + i); a10 = Avx512F.FusedMultiplyAdd(p0, v, a10); b10 = Avx512F.FusedMultiplyAdd(q0, v, b10);
            v = Avx512F.LoadVector512(x1 + i + 16); a11 = Avx512F.FusedMultiplyAdd(p1, v, a11); b11 = Avx512F.FusedMultiplyAdd(q1, v, b11);
            v = Avx512F.LoadVector512(x2 + i); a20 = Avx512F.FusedMultiplyAdd(p0, v, a20); b20 = Avx512F.FusedMultiplyAdd(q0, v, b20);
            v = Avx512F.LoadVector512(x2 + i + 16); a21 = Avx512F.FusedMultiplyAdd(p1, v, a21); b21 = Avx512F.FusedMultiplyAdd(q1, v, b21);
            v = Avx512F.LoadVector512(x3 + i); a30 = Avx512F.FusedMultiplyAdd(p0, v, a30); b30 = Avx512F.FusedMultiplyAdd(q0, v, b30);
            v = Avx512F.LoadVector512(x3 + i + 16); a31 = Avx512F.FusedMultiplyAdd(p1, v, a31); b31 = Avx512F.FusedMultiplyAdd(q1, v, b31);
        }
        Avx512F.Store(a, a00); Avx512F.Store(a + 16, a01); Avx512F.Store(a + 32, a10); Avx512F.Store(a + 48, a11);
        Avx512F.Store(a + 64, a20); Avx512F.Store(a + 80, a21); Avx512F.Store(a + 96, a30); Avx512F.Store(a + 112, a31);
        float* b = a + 128;
        Avx512F.Store(b, b00); Avx512F.Store(b + 16, b01); Avx512F.Store(b + 32, b10); Avx512F.Store(b + 48, b11);
        Avx512F.Store(b + 64, b20); Avx512F.Store(b + 80, b21); Avx512F.Store(b + 96, b30); Avx512F.Store(b + 112, b31);
        for (int r = 0; r < 4; r++)
        {
            Tail<F32Elems>((byte*)w0, x + (long)r * k, i, k, a + 32 * r);
            Tail<F32Elems>((byte*)w1, x + (long)r * k, i, k, b + 32 * r);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Lanes1x256<TW>(byte* w, float* x, int k, float* a) where TW : IFloatElems
    {
        var a0 = Vector256<float>.Zero; var a1 = Vector256<float>.Zero;
        var a2 = Vector256<float>.Zero; var a3 = Vector256<float>.Zero;
        int i = 0;
        for (; i + 32 <= k; i += 32)
        {
            a0 = Fma.MultiplyAdd(TW.Load8(w, i), Avx.LoadVector256(x + i), a0);
            a1 = Fma.MultiplyAdd(TW.Load8(w, i + 8), Avx.LoadVector256(x + i + 8), a1);
            a2 = Fma.MultiplyAdd(TW.Load8(w, i + 16), Avx.LoadVector256(x + i + 16), a2);
            a3 = Fma.MultiplyAdd(TW.Load8(w, i + 24), Avx.LoadVector256(x + i + 24), a3);
        }
        Avx.Store(a, a0); Avx.Store(a + 8, a1); Avx.Store(a + 16, a2); Avx.Store(a + 24, a3);
        Tail<TW>(w, x, i, k, a);
    }

    static void Lanes4x256<TW>(byte* w, float* x, int k, float* a) where TW : IFloatElems
    {
        // 16 accumulators would exhaust the 16 AVX2 registers; rows one by one keeps them in registers.
        for (int r = 0; r < 4; r++) Lanes1x256<TW>(w, x + (long)r * k, k, a + 32 * r);
    }
}
