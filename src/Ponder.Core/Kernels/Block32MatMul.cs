using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ponder.Kernels;

/// <summary>Tiled SIMD matrix multiply for 32-value weight blocks (Q8_0; Q4_0 is <see cref="Q4_0MatMul"/>) against Q8_0 activations.
///
/// Every output gets exactly the operations of <see cref="ScalarDots.Q8_0"/> (llama.cpp's AVX2 structure):
/// one 8-lane float accumulator; per block the 8 exact integer lane dots (values 4l..4l+3), converted to
/// float and added with acc = fma(d_w·d_x, lanes, acc); at the end <see cref="SimdHelpers.HSumFloat8"/>.
/// A tile computes several (weight row, activation row) pairs, each in its own accumulator, so tiling
/// changes only which register holds a pair, never its operations: results are identical for any m,
/// any [o0, o1), and equal to the scalar path.
/// Tiles: 4 weight rows × 1 activation row (decode: four independent fma chains, the activation block
/// loaded once for four weight rows) and 4 × 2 (prompt: each weight block is decoded once for two rows,
/// each activation block once for four weight rows). Weight rows past o1 are clamped to the last one and
/// their results discarded.</summary>
internal static unsafe class Block32MatMul
{

    public static void Run<TW, TDot>(in WeightMatrix w, byte* x, long xRow, int m, float* y, int ldy, int o0, int o1)
        where TW : IBlock32Weights where TDot : IDot8
    {
        int nb = w.Cols / 32;
        long floats = (long)m * nb;
        bool heap = floats > 4096;
        float* small = stackalloc float[heap ? 1 : (int)Math.Max(floats, 1)];
        float* dx = heap ? (float*)NativeMemory.Alloc((nuint)(floats * 4)) : small;
        try
        {
            for (int r = 0; r < m; r++)
            {
                byte* xr = x + r * xRow;
                for (int b = 0; b < nb; b++) dx[(long)r * nb + b] = Fp16.Load(xr + 34 * b);
            }
            int last = o1 - 1;
            int oStart = o0;
            if (m == 1)
            {
                // Decode (one activation row): 8 weight rows per pass share the activation block and the
                // scale conversion.
                for (; oStart + 8 <= o1; oStart += 8)
                {
                        Tile8x1<TW, TDot>(w.Row(oStart), (int)w.RowBytes, x, nb, dx, y + oStart);
                }
            }
            for (int o = oStart; o < o1; o += 4)
            {
                byte* w0 = w.Row(o), w1 = w.Row(Math.Min(o + 1, last)), w2 = w.Row(Math.Min(o + 2, last)), w3 = w.Row(Math.Min(o + 3, last));
                int valid = Math.Min(4, o1 - o);
                // Only the first pass over these 4 rows fetches the next 4; later passes find them in cache.
                byte* next = w0 + 4 * w.RowBytes;
                int r = 0;
                if (typeof(TW) == typeof(Q8_0Weights) && typeof(TDot) == typeof(VnniDot8))
                    for (; r + 4 <= m; r += 4, next = null)
                        Tile4x4Q8Vnni(w0, w1, w2, w3, next, x + r * xRow, xRow, nb, dx + (long)r * nb, y + (long)r * ldy + o, ldy, valid);
                for (; r + 2 <= m; r += 2, next = null)
                    Tile4x2<TW, TDot>(w0, w1, w2, w3, next, x + r * xRow, xRow, nb, dx + (long)r * nb, y + (long)r * ldy + o, ldy, valid);
                for (; r < m; r++, next = null)
                    Tile4x1<TW, TDot>(w0, w1, w2, w3, next, x + r * xRow, nb, dx + (long)r * nb, y + (long)r * ldy + o, valid);
            }
        }
        finally
        {
            if (heap) NativeMemory.Free(dx);
        }
    }

    /// <summary>
    /// Software prefetch of the next tile's weight rows, which follow this tile's in memory: slice b of
    /// <paramref name="bytesPerBlock"/> bytes while this tile works on block b, so the whole next tile is
    /// in cache when it starts. Why: a tile walks several short rows (under 1 KB each for the 0.5B model)
    /// side by side, and the hardware prefetchers never lock on to streams that short; from DRAM the
    /// decode kernel went from 9 to 31 GB/s (bench/Ponder.Bench `raw Q8_0 1 avx512 151936 896`).
    /// A prefetch past the end of the matrix is harmless (prefetches never fault).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void PrefetchSlice(byte* next, int b, int bytesPerBlock)
    {
        byte* p0 = next + (long)b * bytesPerBlock, p1 = p0 + bytesPerBlock;
        for (byte* p = (byte*)((nuint)p0 & ~(nuint)63); p < p1; p += 64) Sse.Prefetch0(p);
    }

    /// <summary>The four weight rows' block scales d_w as floats, one per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector128<float> Scales4(byte* w0, byte* w1, byte* w2, byte* w3) =>
        SimdHelpers.FiniteHalfToSingle(Vector128.Create((int)*(ushort*)w0, *(ushort*)w1, *(ushort*)w2, *(ushort*)w3));

    /// <summary>8 consecutive weight rows (stride rb bytes) × 1 activation row; per pair the same operations
    /// as <see cref="Tile4x1{TW, TDot}"/>. The 8 scales d_w·d_x go through memory so each is one broadcast load.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Tile8x1<TW, TDot>(byte* w0, int rb, byte* x, int nb, float* dx, float* y)
        where TW : IBlock32Weights where TDot : IDot8
    {
        var a0 = Vector256<float>.Zero; var a1 = Vector256<float>.Zero;
        var a2 = Vector256<float>.Zero; var a3 = Vector256<float>.Zero;
        var a4 = Vector256<float>.Zero; var a5 = Vector256<float>.Zero;
        var a6 = Vector256<float>.Zero; var a7 = Vector256<float>.Zero;
        int wb = TW.Bytes;
        float* d = stackalloc float[8];
        byte* next = w0 + 8 * rb;
        for (int b = 0; b < nb; b++, w0 += wb)
        {
            PrefetchSlice(next, b, 8 * wb);
            var xv = Avx.LoadVector256((sbyte*)(x + 34 * b + 2));
            var h = Vector256.Create((int)*(ushort*)w0, *(ushort*)(w0 + rb), *(ushort*)(w0 + 2 * rb), *(ushort*)(w0 + 3 * rb),
                *(ushort*)(w0 + 4 * rb), *(ushort*)(w0 + 5 * rb), *(ushort*)(w0 + 6 * rb), *(ushort*)(w0 + 7 * rb));
            Avx.Store(d, SimdHelpers.FiniteHalfToSingle(h) * Vector256.Create(dx[b]));
            a0 = Fma.MultiplyAdd(Vector256.Create(d[0]), Avx.ConvertToVector256Single(TW.PairDot<TDot>(TW.Load(w0), xv)), a0);
            a1 = Fma.MultiplyAdd(Vector256.Create(d[1]), Avx.ConvertToVector256Single(TW.PairDot<TDot>(TW.Load(w0 + rb), xv)), a1);
            a2 = Fma.MultiplyAdd(Vector256.Create(d[2]), Avx.ConvertToVector256Single(TW.PairDot<TDot>(TW.Load(w0 + 2 * rb), xv)), a2);
            a3 = Fma.MultiplyAdd(Vector256.Create(d[3]), Avx.ConvertToVector256Single(TW.PairDot<TDot>(TW.Load(w0 + 3 * rb), xv)), a3);
            a4 = Fma.MultiplyAdd(Vector256.Create(d[4]), Avx.ConvertToVector256Single(TW.PairDot<TDot>(TW.Load(w0 + 4 * rb), xv)), a4);
            a5 = Fma.MultiplyAdd(Vector256.Create(d[5]), Avx.ConvertToVector256Single(TW.PairDot<TDot>(TW.Load(w0 + 5 * rb), xv)), a5);
            a6 = Fma.MultiplyAdd(Vector256.Create(d[6]), Avx.ConvertToVector256Single(TW.PairDot<TDot>(TW.Load(w0 + 6 * rb), xv)), a6);
            a7 = Fma.MultiplyAdd(Vector256.Create(d[7]), Avx.ConvertToVector256Single(TW.PairDot<TDot>(TW.Load(w0 + 7 * rb), xv)), a7);
        }
        y[0] = SimdHelpers.HSumFloat8(a0); y[1] = SimdHelpers.HSumFloat8(a1);
        y[2] = SimdHelpers.HSumFloat8(a2); y[3] = SimdHelpers.HSumFloat8(a3);
        y[4] = SimdHelpers.HSumFloat8(a4); y[5] = SimdHelpers.HSumFloat8(a5);
        y[6] = SimdHelpers.HSumFloat8(a6); y[7] = SimdHelpers.HSumFloat8(a7);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Tile4x1<TW, TDot>(byte* w0, byte* w1, byte* w2, byte* w3, byte* next, byte* x, int nb, float* dx, float* y, int valid)
        where TW : IBlock32Weights where TDot : IDot8
    {
        var a0 = Vector256<float>.Zero;
        var a1 = Vector256<float>.Zero;
        var a2 = Vector256<float>.Zero;
        var a3 = Vector256<float>.Zero;
        int wb = TW.Bytes;
        float* dd = stackalloc float[4];
        for (int b = 0; b < nb; b++, w0 += wb, w1 += wb, w2 += wb, w3 += wb)
        {
            if (next != null) PrefetchSlice(next, b, 4 * wb);
            var xv = Avx.LoadVector256((sbyte*)(x + 34 * b + 2));
            Sse.Store(dd, Scales4(w0, w1, w2, w3) * Vector128.Create(dx[b]));
            var s0 = TW.PairDot<TDot>(TW.Load(w0), xv);
            var s1 = TW.PairDot<TDot>(TW.Load(w1), xv);
            var s2 = TW.PairDot<TDot>(TW.Load(w2), xv);
            var s3 = TW.PairDot<TDot>(TW.Load(w3), xv);
            a0 = Fma.MultiplyAdd(Vector256.Create(dd[0]), Avx.ConvertToVector256Single(s0), a0);
            a1 = Fma.MultiplyAdd(Vector256.Create(dd[1]), Avx.ConvertToVector256Single(s1), a1);
            a2 = Fma.MultiplyAdd(Vector256.Create(dd[2]), Avx.ConvertToVector256Single(s2), a2);
            a3 = Fma.MultiplyAdd(Vector256.Create(dd[3]), Avx.ConvertToVector256Single(s3), a3);
        }
        y[0] = SimdHelpers.HSumFloat8(a0);
        if (valid > 1) y[1] = SimdHelpers.HSumFloat8(a1);
        if (valid > 2) y[2] = SimdHelpers.HSumFloat8(a2);
        if (valid > 3) y[3] = SimdHelpers.HSumFloat8(a3);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Tile4x2<TW, TDot>(byte* w0, byte* w1, byte* w2, byte* w3, byte* next, byte* x, long xRow, int nb, float* dx, float* y, int ldy, int valid)
        where TW : IBlock32Weights where TDot : IDot8
    {
        var a00 = Vector256<float>.Zero; var a01 = Vector256<float>.Zero;
        var a10 = Vector256<float>.Zero; var a11 = Vector256<float>.Zero;
        var a20 = Vector256<float>.Zero; var a21 = Vector256<float>.Zero;
        var a30 = Vector256<float>.Zero; var a31 = Vector256<float>.Zero;
        int wb = TW.Bytes;
        byte* x0 = x + 2, x1 = x + xRow + 2;
        float* dx0 = dx, dx1 = dx + nb;
        float* dd = stackalloc float[8];
        for (int b = 0; b < nb; b++, w0 += wb, w1 += wb, w2 += wb, w3 += wb)
        {
            if (next != null) PrefetchSlice(next, b, 4 * wb);
            var v0 = Avx.LoadVector256((sbyte*)(x0 + 34 * b));
            var v1 = Avx.LoadVector256((sbyte*)(x1 + 34 * b));
            var dw = Scales4(w0, w1, w2, w3);
            var d0 = dw * Vector128.Create(dx0[b]);
            var d1 = dw * Vector128.Create(dx1[b]);
            // The eight d_w·d_x go through memory so each is one broadcast load, not a shuffle pair.
            Avx.Store(dd, Vector256.Create(d0, d1));

            if (typeof(TW) == typeof(Q8_0Weights) && typeof(TDot) == typeof(VnniDot8))
            {
                // vpdpbusd has no int16 stage, so x can be made unsigned (x + 128) once per block instead of
                // moving each weight's sign onto x per pair; the lane sums 128·Σw come off through the addend.
                // Exact, so the lanes are the same integers as the sign trick's.
                var flip = Vector256.Create((byte)0x80);
                var u0 = v0.AsByte() ^ flip;
                var u1 = v1.AsByte() ^ flip;
                var g = Avx.LoadVector256((sbyte*)(w0 + 2));
                var nb0 = Vector256<int>.Zero - AvxVnni.MultiplyWideningAndAdd(Vector256<int>.Zero, flip, g);
                a00 = Fma.MultiplyAdd(Vector256.Create(dd[0]), Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(nb0, u0, g)), a00);
                a01 = Fma.MultiplyAdd(Vector256.Create(dd[4]), Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(nb0, u1, g)), a01);
                g = Avx.LoadVector256((sbyte*)(w1 + 2));
                nb0 = Vector256<int>.Zero - AvxVnni.MultiplyWideningAndAdd(Vector256<int>.Zero, flip, g);
                a10 = Fma.MultiplyAdd(Vector256.Create(dd[1]), Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(nb0, u0, g)), a10);
                a11 = Fma.MultiplyAdd(Vector256.Create(dd[5]), Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(nb0, u1, g)), a11);
                g = Avx.LoadVector256((sbyte*)(w2 + 2));
                nb0 = Vector256<int>.Zero - AvxVnni.MultiplyWideningAndAdd(Vector256<int>.Zero, flip, g);
                a20 = Fma.MultiplyAdd(Vector256.Create(dd[2]), Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(nb0, u0, g)), a20);
                a21 = Fma.MultiplyAdd(Vector256.Create(dd[6]), Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(nb0, u1, g)), a21);
                g = Avx.LoadVector256((sbyte*)(w3 + 2));
                nb0 = Vector256<int>.Zero - AvxVnni.MultiplyWideningAndAdd(Vector256<int>.Zero, flip, g);
                a30 = Fma.MultiplyAdd(Vector256.Create(dd[3]), Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(nb0, u0, g)), a30);
                a31 = Fma.MultiplyAdd(Vector256.Create(dd[7]), Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(nb0, u1, g)), a31);
                continue;
            }

            var q = TW.Load(w0);
            var s0 = TW.PairDot<TDot>(q, v0);
            var s1 = TW.PairDot<TDot>(q, v1);
            a00 = Fma.MultiplyAdd(Vector256.Create(dd[0]), Avx.ConvertToVector256Single(s0), a00);
            a01 = Fma.MultiplyAdd(Vector256.Create(dd[4]), Avx.ConvertToVector256Single(s1), a01);

            q = TW.Load(w1);
            s0 = TW.PairDot<TDot>(q, v0);
            s1 = TW.PairDot<TDot>(q, v1);
            a10 = Fma.MultiplyAdd(Vector256.Create(dd[1]), Avx.ConvertToVector256Single(s0), a10);
            a11 = Fma.MultiplyAdd(Vector256.Create(dd[5]), Avx.ConvertToVector256Single(s1), a11);

            q = TW.Load(w2);
            s0 = TW.PairDot<TDot>(q, v0);
            s1 = TW.PairDot<TDot>(q, v1);
            a20 = Fma.MultiplyAdd(Vector256.Create(dd[2]), Avx.ConvertToVector256Single(s0), a20);
            a21 = Fma.MultiplyAdd(Vector256.Create(dd[6]), Avx.ConvertToVector256Single(s1), a21);

            q = TW.Load(w3);
            s0 = TW.PairDot<TDot>(q, v0);
            s1 = TW.PairDot<TDot>(q, v1);
            a30 = Fma.MultiplyAdd(Vector256.Create(dd[3]), Avx.ConvertToVector256Single(s0), a30);
            a31 = Fma.MultiplyAdd(Vector256.Create(dd[7]), Avx.ConvertToVector256Single(s1), a31);
        }
        float* y1 = y + ldy;
        y[0] = SimdHelpers.HSumFloat8(a00); y1[0] = SimdHelpers.HSumFloat8(a01);
        if (valid > 1) { y[1] = SimdHelpers.HSumFloat8(a10); y1[1] = SimdHelpers.HSumFloat8(a11); }
        if (valid > 2) { y[2] = SimdHelpers.HSumFloat8(a20); y1[2] = SimdHelpers.HSumFloat8(a21); }
        if (valid > 3) { y[3] = SimdHelpers.HSumFloat8(a30); y1[3] = SimdHelpers.HSumFloat8(a31); }
    }

    /// <summary>4 weight rows × 4 activation rows for Q8_0 with VNNI (AVX-512 gives the 32 registers the 16
    /// accumulators need). Per pair the same operations as <see cref="Tile4x2{TW, TDot}"/>'s VNNI path;
    /// each weight block's 128·Σw and each activation block's unsigned form serve four pairs instead of two.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Tile4x4Q8Vnni(byte* w0, byte* w1, byte* w2, byte* w3, byte* next, byte* x, long xRow, int nb, float* dx, float* y, int ldy, int valid)
    {
        Vector256<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector256<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector256<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector256<float> a30 = default, a31 = default, a32 = default, a33 = default;
        byte* x0 = x + 2;
        float* dd = stackalloc float[16];
        var flip = Vector256.Create((byte)0x80);
        for (int b = 0; b < nb; b++, w0 += 34, w1 += 34, w2 += 34, w3 += 34)
        {
            if (next != null) PrefetchSlice(next, b, 4 * 34);
            var u0 = Avx.LoadVector256(x0 + 34 * b) ^ flip;
            var u1 = Avx.LoadVector256(x0 + xRow + 34 * b) ^ flip;
            var u2 = Avx.LoadVector256(x0 + 2 * xRow + 34 * b) ^ flip;
            var u3 = Avx.LoadVector256(x0 + 3 * xRow + 34 * b) ^ flip;
            var dw = Scales4(w0, w1, w2, w3);
            var dw2 = Vector256.Create(dw, dw);
            // dd[4r + j] = d_w(row j) · d_x(row r), the same float products as the 4×2 tile's.
            Avx.Store(dd, dw2 * Vector256.Create(Vector128.Create(dx[b]), Vector128.Create(dx[nb + b])));
            Avx.Store(dd + 8, dw2 * Vector256.Create(Vector128.Create(dx[2 * nb + b]), Vector128.Create(dx[3 * nb + b])));

            var g = Avx.LoadVector256((sbyte*)(w0 + 2));
            var n = Vector256<int>.Zero - AvxVnni.MultiplyWideningAndAdd(Vector256<int>.Zero, flip, g);
            a00 = Fma.MultiplyAdd(Vector256.Create(dd[0]), Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(n, u0, g)), a00);
            a01 = Fma.MultiplyAdd(Vector256.Create(dd[4]), Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(n, u1, g)), a01);
            a02 = Fma.MultiplyAdd(Vector256.Create(dd[8]), Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(n, u2, g)), a02);
            a03 = Fma.MultiplyAdd(Vector256.Create(dd[12]), Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(n, u3, g)), a03);
            g = Avx.LoadVector256((sbyte*)(w1 + 2));
            n = Vector256<int>.Zero - AvxVnni.MultiplyWideningAndAdd(Vector256<int>.Zero, flip, g);
            a10 = Fma.MultiplyAdd(Vector256.Create(dd[1]), Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(n, u0, g)), a10);
            a11 = Fma.MultiplyAdd(Vector256.Create(dd[5]), Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(n, u1, g)), a11);
            a12 = Fma.MultiplyAdd(Vector256.Create(dd[9]), Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(n, u2, g)), a12);
            a13 = Fma.MultiplyAdd(Vector256.Create(dd[13]), Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(n, u3, g)), a13);
            g = Avx.LoadVector256((sbyte*)(w2 + 2));
            n = Vector256<int>.Zero - AvxVnni.MultiplyWideningAndAdd(Vector256<int>.Zero, flip, g);
            a20 = Fma.MultiplyAdd(Vector256.Create(dd[2]), Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(n, u0, g)), a20);
            a21 = Fma.MultiplyAdd(Vector256.Create(dd[6]), Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(n, u1, g)), a21);
            a22 = Fma.MultiplyAdd(Vector256.Create(dd[10]), Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(n, u2, g)), a22);
            a23 = Fma.MultiplyAdd(Vector256.Create(dd[14]), Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(n, u3, g)), a23);
            g = Avx.LoadVector256((sbyte*)(w3 + 2));
            n = Vector256<int>.Zero - AvxVnni.MultiplyWideningAndAdd(Vector256<int>.Zero, flip, g);
            a30 = Fma.MultiplyAdd(Vector256.Create(dd[3]), Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(n, u0, g)), a30);
            a31 = Fma.MultiplyAdd(Vector256.Create(dd[7]), Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(n, u1, g)), a31);
            a32 = Fma.MultiplyAdd(Vector256.Create(dd[11]), Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(n, u2, g)), a32);
            a33 = Fma.MultiplyAdd(Vector256.Create(dd[15]), Avx.ConvertToVector256Single(AvxVnni.MultiplyWideningAndAdd(n, u3, g)), a33);
        }
        float* y1 = y + ldy, y2 = y + 2 * ldy, y3 = y + 3 * ldy;
        y[0] = SimdHelpers.HSumFloat8(a00); y1[0] = SimdHelpers.HSumFloat8(a01); y2[0] = SimdHelpers.HSumFloat8(a02); y3[0] = SimdHelpers.HSumFloat8(a03);
        if (valid > 1) { y[1] = SimdHelpers.HSumFloat8(a10); y1[1] = SimdHelpers.HSumFloat8(a11); y2[1] = SimdHelpers.HSumFloat8(a12); y3[1] = SimdHelpers.HSumFloat8(a13); }
        if (valid > 2) { y[2] = SimdHelpers.HSumFloat8(a20); y1[2] = SimdHelpers.HSumFloat8(a21); y2[2] = SimdHelpers.HSumFloat8(a22); y3[2] = SimdHelpers.HSumFloat8(a23); }
        if (valid > 3) { y[3] = SimdHelpers.HSumFloat8(a30); y1[3] = SimdHelpers.HSumFloat8(a31); y2[3] = SimdHelpers.HSumFloat8(a32); y3[3] = SimdHelpers.HSumFloat8(a33); }
    }
}
