using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ponder.Kernels;

/// <summary>Tiled SIMD matrix multiply for Q4_0 weights against Q8_0 activations.
///
/// Every output gets exactly the operations of <see cref="ScalarDots.Q4_0"/>: per block the exact integer
/// total Σ(q − 8)·x over all 32 values, then acc = fma(total, d_w·d_x, acc), one float chain per output, no
/// final fold. Why not the 8-lane structure of Q8_0 (<see cref="Block32MatMul"/>): on x86 with AVX2,
/// llama.cpp repacks Q4_0 matrices at load time into 8-row interleaved blocks (its CPU_AARCH64 buffer,
/// ggml_gemv/gemm_q4_0_8x8_q8_0), and those kernels accumulate whole-block totals this way; with the
/// 8-lane form every logit of tiny-llama-q4_0 was 0.038 off, with this one they are equal.
/// The SIMD form: 8 weight rows per tile, rows j and j+4 in the two halves of one register (so a row's block
/// dot lands in 4 lanes, not 8), folded by three horizontal adds to one lane per row: lane j of one float
/// vector is output j's chain. (llama.cpp interleaves rows in memory instead; we keep the file's layout.)
/// Tiles: 8 weight rows × 2 activation rows (prompt: each weight block decoded once for two rows) and
/// 8 × 1 (decode, and an odd last row). Weight rows past o1 are clamped to the last one and their lanes
/// not stored, so results are identical for any m and any [o0, o1).</summary>
internal static unsafe class Q4_0MatMul
{
    public static void Run<TDot>(in WeightMatrix w, byte* x, long xRow, int m, float* y, int ldy, int o0, int o1)
        where TDot : IDot8
    {
        int nb = w.Cols / 32;
        long floats = (long)m * nb;
        bool heap = floats > 4096;
        float* small = stackalloc float[heap ? 1 : (int)Math.Max(floats, 1)];
        float* dx = heap ? (float*)NativeMemory.Alloc((nuint)(floats * 4)) : small;
        byte** rows = stackalloc byte*[8];
        try
        {
            for (int r = 0; r < m; r++)
            {
                byte* xr = x + r * xRow;
                for (int b = 0; b < nb; b++) dx[(long)r * nb + b] = Fp16.Load(xr + 34 * b);
            }
            int last = o1 - 1;
            for (int o = o0; o < o1; o += 8)
            {
                for (int j = 0; j < 8; j++) rows[j] = w.Row(Math.Min(o + j, last));
                int valid = Math.Min(8, o1 - o);
                // Only the first pass over these 8 rows fetches the next 8; later passes find them in cache.
                // Past o1 too: the caller's next chunk usually starts there (a prefetch never faults).
                byte* next = w.Row(o) + 8 * w.RowBytes;
                int r = 0;
                for (; r + 2 <= m; r += 2, next = null)
                    Tile8x2<TDot>(rows, next, x + r * xRow, xRow, nb, dx + (long)r * nb, y + (long)r * ldy + o, ldy, valid);
                for (; r < m; r++, next = null)
                    Tile8x1<TDot>(rows, next, x + r * xRow, nb, dx + (long)r * nb, y + (long)r * ldy + o, valid);
            }
        }
        finally
        {
            if (heap) NativeMemory.Free(dx);
        }
    }

    /// <summary>Rows a and b of one block side by side: low nibbles (values 0-15) of a | of b, and the high
    /// nibbles (values 16-31) likewise.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static (Vector256<byte> Lo, Vector256<byte> Hi) Load2(byte* a, byte* b)
    {
        var q = Vector256.Create(Sse2.LoadVector128(a + 2), Sse2.LoadVector128(b + 2));
        var m = Vector256.Create((byte)0xF);
        return (q & m, Avx2.ShiftRightLogical(q.AsUInt16(), 4).AsByte() & m);
    }

    /// <summary>Per 128-bit half, lane l = e_l + the dot of values 4l..4l+3 and 16+4l..16+4l+3 of that half's
    /// row; xLo, xHi are x's values 0-15 and 16-31, each in both halves.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<int> Dot2<TDot>(Vector256<int> e, (Vector256<byte> Lo, Vector256<byte> Hi) w, Vector256<sbyte> xLo, Vector256<sbyte> xHi)
        where TDot : IDot8 => TDot.DotAdd(TDot.DotAdd(e, w.Lo, xLo), w.Hi, xHi);

    /// <summary>Lane j = the block total of row j from the row pairs (0|4), (1|5), (2|6), (3|7): three
    /// horizontal adds (integer, exact in any order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<int> Totals(Vector256<int> s04, Vector256<int> s15, Vector256<int> s26, Vector256<int> s37) =>
        Avx2.HorizontalAdd(Avx2.HorizontalAdd(s04, s15), Avx2.HorizontalAdd(s26, s37));

    /// <summary>−8·(lane sums of x) in <see cref="Dot2{TDot}"/>'s lane layout: the addend that takes Q4_0's offset off.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<int> MinusEightSum<TDot>(Vector256<sbyte> xLo, Vector256<sbyte> xHi) where TDot : IDot8
    {
        var eight = Vector256.Create((byte)8);
        return Vector256<int>.Zero - TDot.DotAdd(TDot.Dot(eight, xLo), eight, xHi);
    }

    /// <summary>The 8 rows' block scales d_w, one per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<float> Scales8(byte* w0, byte* w1, byte* w2, byte* w3, byte* w4, byte* w5, byte* w6, byte* w7) =>
        SimdHelpers.FiniteHalfToSingle(Vector256.Create((int)*(ushort*)w0, *(ushort*)w1, *(ushort*)w2, *(ushort*)w3,
            *(ushort*)w4, *(ushort*)w5, *(ushort*)w6, *(ushort*)w7));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void Store(float* y, Vector256<float> acc, int valid)
    {
        if (valid == 8) { Avx.Store(y, acc); return; }
        float* t = stackalloc float[8];
        Avx.Store(t, acc);
        for (int j = 0; j < valid; j++) y[j] = t[j];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Tile8x1<TDot>(byte** rows, byte* next, byte* x, int nb, float* dx, float* y, int valid) where TDot : IDot8
    {
        byte* w0 = rows[0], w1 = rows[1], w2 = rows[2], w3 = rows[3], w4 = rows[4], w5 = rows[5], w6 = rows[6], w7 = rows[7];
        var acc = Vector256<float>.Zero;
        for (int b = 0; b < nb; b++, w0 += 18, w1 += 18, w2 += 18, w3 += 18, w4 += 18, w5 += 18, w6 += 18, w7 += 18)
        {
            if (next != null) Block32MatMul.PrefetchSlice(next, b, 8 * 18);
            var xLo = Vector256.Create(Sse2.LoadVector128((sbyte*)(x + 34 * b + 2)));
            var xHi = Vector256.Create(Sse2.LoadVector128((sbyte*)(x + 34 * b + 18)));
            var e = MinusEightSum<TDot>(xLo, xHi);
            var t = Totals(Dot2<TDot>(e, Load2(w0, w4), xLo, xHi), Dot2<TDot>(e, Load2(w1, w5), xLo, xHi),
                Dot2<TDot>(e, Load2(w2, w6), xLo, xHi), Dot2<TDot>(e, Load2(w3, w7), xLo, xHi));
            var d = Scales8(w0, w1, w2, w3, w4, w5, w6, w7) * Vector256.Create(dx[b]);
            acc = Fma.MultiplyAdd(Avx.ConvertToVector256Single(t), d, acc);
        }
        Store(y, acc, valid);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Tile8x2<TDot>(byte** rows, byte* next, byte* x, long xRow, int nb, float* dx, float* y, int ldy, int valid) where TDot : IDot8
    {
        byte* w0 = rows[0], w1 = rows[1], w2 = rows[2], w3 = rows[3], w4 = rows[4], w5 = rows[5], w6 = rows[6], w7 = rows[7];
        var acc0 = Vector256<float>.Zero;
        var acc1 = Vector256<float>.Zero;
        byte* x0 = x + 2, x1 = x + xRow + 2;
        float* dx0 = dx, dx1 = dx + nb;
        for (int b = 0; b < nb; b++, w0 += 18, w1 += 18, w2 += 18, w3 += 18, w4 += 18, w5 += 18, w6 += 18, w7 += 18)
        {
            if (next != null) Block32MatMul.PrefetchSlice(next, b, 8 * 18);
            var xLo0 = Vector256.Create(Sse2.LoadVector128((sbyte*)(x0 + 34 * b)));
            var xHi0 = Vector256.Create(Sse2.LoadVector128((sbyte*)(x0 + 34 * b + 16)));
            var xLo1 = Vector256.Create(Sse2.LoadVector128((sbyte*)(x1 + 34 * b)));
            var xHi1 = Vector256.Create(Sse2.LoadVector128((sbyte*)(x1 + 34 * b + 16)));
            var e0 = MinusEightSum<TDot>(xLo0, xHi0);
            var e1 = MinusEightSum<TDot>(xLo1, xHi1);
            // Each pair of weight rows is decoded once for both activation rows.
            var q = Load2(w0, w4);
            var a04 = Dot2<TDot>(e0, q, xLo0, xHi0); var b04 = Dot2<TDot>(e1, q, xLo1, xHi1);
            q = Load2(w1, w5);
            var a15 = Dot2<TDot>(e0, q, xLo0, xHi0); var b15 = Dot2<TDot>(e1, q, xLo1, xHi1);
            q = Load2(w2, w6);
            var a26 = Dot2<TDot>(e0, q, xLo0, xHi0); var b26 = Dot2<TDot>(e1, q, xLo1, xHi1);
            q = Load2(w3, w7);
            var a37 = Dot2<TDot>(e0, q, xLo0, xHi0); var b37 = Dot2<TDot>(e1, q, xLo1, xHi1);
            var dw = Scales8(w0, w1, w2, w3, w4, w5, w6, w7);
            acc0 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(Totals(a04, a15, a26, a37)), dw * Vector256.Create(dx0[b]), acc0);
            acc1 = Fma.MultiplyAdd(Avx.ConvertToVector256Single(Totals(b04, b15, b26, b37)), dw * Vector256.Create(dx1[b]), acc1);
        }
        Store(y, acc0, valid);
        Store(y + ldy, acc1, valid);
    }
}
