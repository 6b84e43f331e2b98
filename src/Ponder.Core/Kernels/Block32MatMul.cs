using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ponder.Kernels;

/// <summary>Tiled SIMD matrix multiply for 32-value weight blocks (Q8_0, Q4_0) against Q8_0 activations.
///
/// Every output element gets exactly the operations of <see cref="ScalarDots.Q8_0"/>: per block an exact
/// integer dot s_b, then acc_parity(b) = fma(d_w·d_x, s_b, acc), result acc_even + acc_odd. A tile computes
/// 8 such (row, weight) pairs side by side in the 8 float lanes, so tiling changes only which lane a pair
/// sits in, never its operations: results are identical for any m, any [o0, o1) and equal to the scalar path.
/// Tiles: 1 activation row × 8 weight rows (decode; the activation block is loaded once per 8 weight
/// blocks) and 4 rows × 2 weight rows (prompt; each weight block is decoded once for 4 rows).
/// Weight rows past o1 are clamped to the last one and their lanes discarded.</summary>
internal static unsafe class Block32MatMul
{
    public static void Run<TW, TDot>(in WeightMatrix w, byte* x, long xRow, int m, float* y, int ldy, int o0, int o1)
        where TW : IBlock32Weights where TDot : IDot8
    {
        int nb = w.Cols / 32;
        int groups = m / 4;
        long floats = (long)m * nb * 2 + (long)groups * 4 * nb * 2;
        bool heap = floats > 8192;
        float* small = stackalloc float[heap ? 1 : (int)Math.Max(floats, 1)];
        float* buf = heap ? (float*)NativeMemory.Alloc((nuint)(floats * 4)) : small;
        try
        {
            // Per activation block: its scale as float and 8·Σx (for Q4_0's −8 offset), laid out per row
            // for the 1×8 tile and interleaved by 4 rows for the 4×2 tile.
            float* dx = buf;
            int* sx = (int*)(buf + (long)m * nb);
            float* dxg = buf + 2L * m * nb;
            int* sxg = (int*)(dxg + (long)groups * 4 * nb);
            for (int r = 0; r < m; r++)
            {
                byte* xr = x + r * xRow;
                for (int b = 0; b < nb; b++)
                {
                    byte* blk = xr + 34 * b;
                    float d = Fp16.Load(blk);
                    int s = 0;
                    if (TW.SubtractEightSumX)
                        for (int j = 0; j < 32; j++) s += (sbyte)blk[2 + j];
                    dx[r * nb + b] = d;
                    sx[r * nb + b] = 8 * s;
                    if (r < groups * 4)
                    {
                        long gi = ((long)(r / 4) * nb + b) * 4 + (r & 3);
                        dxg[gi] = d;
                        sxg[gi] = 8 * s;
                    }
                }
            }

            int rowsDone = 0;
            if (groups > 0)
            {
                for (int o = o0; o < o1; o += 2)
                {
                    byte* w0 = w.Row(o), w1 = w.Row(Math.Min(o + 1, o1 - 1));
                    int valid = Math.Min(2, o1 - o);
                    for (int g = 0; g < groups; g++)
                        Tile4x2<TW, TDot>(w0, w1, x + 4L * g * xRow, xRow, nb, dxg + 4L * g * nb, sxg + 4L * g * nb,
                            y + 4L * g * ldy + o, ldy, valid);
                }
                rowsDone = groups * 4;
            }
            for (int r = rowsDone; r < m; r++)
            {
                for (int o = o0; o < o1; o += 8)
                {
                    int last = o1 - 1;
                    Tile1x8<TW, TDot>(w.Row(o), w.Row(Math.Min(o + 1, last)), w.Row(Math.Min(o + 2, last)), w.Row(Math.Min(o + 3, last)),
                        w.Row(Math.Min(o + 4, last)), w.Row(Math.Min(o + 5, last)), w.Row(Math.Min(o + 6, last)), w.Row(Math.Min(o + 7, last)),
                        x + r * xRow, nb, dx + (long)r * nb, sx + (long)r * nb, y + (long)r * ldy + o, Math.Min(8, o1 - o));
                }
            }
        }
        finally
        {
            if (heap) NativeMemory.Free(buf);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Tile1x8<TW, TDot>(byte* w0, byte* w1, byte* w2, byte* w3, byte* w4, byte* w5, byte* w6, byte* w7,
        byte* x, int nb, float* dx, int* sx, float* y, int valid) where TW : IBlock32Weights where TDot : IDot8
    {
        var accE = Vector256<float>.Zero;
        var accO = Vector256<float>.Zero;
        int wb = TW.Bytes;
        for (int b = 0; b < nb; b++)
        {
            long off = (long)b * wb;
            var xv = Avx.LoadVector256((sbyte*)(x + 34 * b + 2));
            var s = SimdHelpers.HSum8(
                TW.PairDot<TDot>(TW.Load(w0 + off), xv), TW.PairDot<TDot>(TW.Load(w1 + off), xv),
                TW.PairDot<TDot>(TW.Load(w2 + off), xv), TW.PairDot<TDot>(TW.Load(w3 + off), xv),
                TW.PairDot<TDot>(TW.Load(w4 + off), xv), TW.PairDot<TDot>(TW.Load(w5 + off), xv),
                TW.PairDot<TDot>(TW.Load(w6 + off), xv), TW.PairDot<TDot>(TW.Load(w7 + off), xv));
            if (TW.SubtractEightSumX) s -= Vector256.Create(sx[b]);
            var dw = SimdHelpers.HalfToSingle(Vector128.Create(
                *(ushort*)(w0 + off), *(ushort*)(w1 + off), *(ushort*)(w2 + off), *(ushort*)(w3 + off),
                *(ushort*)(w4 + off), *(ushort*)(w5 + off), *(ushort*)(w6 + off), *(ushort*)(w7 + off)));
            var d = dw * Vector256.Create(dx[b]);
            if ((b & 1) == 0) accE = Fma.MultiplyAdd(d, Avx.ConvertToVector256Single(s), accE);
            else accO = Fma.MultiplyAdd(d, Avx.ConvertToVector256Single(s), accO);
        }
        var sum = accE + accO;
        if (valid == 8) Avx.Store(y, sum);
        else
        {
            float* t = stackalloc float[8];
            Avx.Store(t, sum);
            for (int c = 0; c < valid; c++) y[c] = t[c];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void Tile4x2<TW, TDot>(byte* w0, byte* w1, byte* x, long xRow, int nb, float* dxg, int* sxg, float* y, int ldy, int valid)
        where TW : IBlock32Weights where TDot : IDot8
    {
        var accE = Vector256<float>.Zero;
        var accO = Vector256<float>.Zero;
        int wb = TW.Bytes;
        byte* x0 = x + 2, x1 = x + xRow + 2, x2 = x + 2 * xRow + 2, x3 = x + 3 * xRow + 2;
        for (int b = 0; b < nb; b++)
        {
            long off = (long)b * wb;
            int xo = 34 * b;
            var a = TW.Load(w0 + off);
            var c = TW.Load(w1 + off);
            var v0 = Avx.LoadVector256((sbyte*)(x0 + xo));
            var v1 = Avx.LoadVector256((sbyte*)(x1 + xo));
            var v2 = Avx.LoadVector256((sbyte*)(x2 + xo));
            var v3 = Avx.LoadVector256((sbyte*)(x3 + xo));
            // lane p = 4·(weight) + (row)
            var s = SimdHelpers.HSum8(
                TW.PairDot<TDot>(a, v0), TW.PairDot<TDot>(a, v1), TW.PairDot<TDot>(a, v2), TW.PairDot<TDot>(a, v3),
                TW.PairDot<TDot>(c, v0), TW.PairDot<TDot>(c, v1), TW.PairDot<TDot>(c, v2), TW.PairDot<TDot>(c, v3));
            if (TW.SubtractEightSumX)
            {
                var sx4 = Sse2.LoadVector128(sxg + 4 * b);
                s -= Vector256.Create(sx4, sx4);
            }
            ushort h0 = *(ushort*)(w0 + off), h1 = *(ushort*)(w1 + off);
            var dw = SimdHelpers.HalfToSingle(Vector128.Create(h0, h0, h0, h0, h1, h1, h1, h1));
            var dx4 = Sse.LoadVector128(dxg + 4 * b);
            var d = dw * Vector256.Create(dx4, dx4);
            if ((b & 1) == 0) accE = Fma.MultiplyAdd(d, Avx.ConvertToVector256Single(s), accE);
            else accO = Fma.MultiplyAdd(d, Avx.ConvertToVector256Single(s), accO);
        }
        var sum = accE + accO;
        float* t = stackalloc float[8];
        Avx.Store(t, sum);
        for (int i = 0; i < 4; i++)
        {
            y[(long)i * ldy] = t[i];
            if (valid == 2) y[(long)i * ldy + 1] = t[4 + i];
        }
    }
}
