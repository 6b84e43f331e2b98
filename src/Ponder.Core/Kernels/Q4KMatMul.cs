using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ponder.Kernels;

/// <summary>Q4_K·Q8_K matmul that decodes each weight super-block once (nibbles, the eight 6-bit scales
/// and mins, both fp16 factors) and applies it to a tile of up to <see cref="Tile"/> activation rows.
/// Per (row, weight) the float steps are exactly those of <see cref="ScalarDots.Q4_K"/>: lane l's integer
/// sum per super-block (exact, so the order of integer ops is free), acc = fma(d, isum, acc) with
/// d = x.d·fp16(w.d), accm_j = fma(dmin, prod_j, accm_j) with dmin = −x.d·fp16(w.dmin), and
/// hsum_float_8(acc) + ((accm0 + accm2) + (accm1 + accm3)). Each (row, weight) still gets its own
/// accumulators, so results do not depend on the tile or the output range (batch invariance).
/// Integer part: vpmaddubsw (nibble·q8 pairs, |2·15·127| fits int16) then vpmaddwd by the sub-block's
/// scale, as llama.cpp's AVX2 kernel; mins: vpmaddwd of the bsums by the mins doubled into 16-bit pairs.</summary>
internal static unsafe class Q4KMatMul
{
    const int Tile = 8;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(in WeightMatrix w, byte* x, long xRow, int m, float* y, int ldy, int o0, int o1)
    {
        int nb = w.Cols / Q4KBlock.Values;
        Vector256<float>* acc = stackalloc Vector256<float>[Tile];
        Vector128<float>* accm = stackalloc Vector128<float>[Tile];
        var mask = Vector256.Create((byte)0xF);
        for (int o = o0; o < o1; o++)
        {
            byte* wr = w.Row(o);
            for (int r0 = 0; r0 < m; r0 += Tile)
            {
                int nr = Math.Min(Tile, m - r0);
                for (int i = 0; i < nr; i++) { acc[i] = Vector256<float>.Zero; accm[i] = Vector128<float>.Zero; }
                byte* wb = wr;
                byte* xb = x + r0 * xRow;
                for (int b = 0; b < nb; b++, wb += Q4KBlock.Bytes, xb += Q8KBlock.Bytes)
                {
                    // get_scale_min_k4 for all eight sub-blocks at once (llama.cpp's kmask form).
                    uint u0 = Unsafe.ReadUnaligned<uint>(wb + 4), u1 = Unsafe.ReadUnaligned<uint>(wb + 8), u2 = Unsafe.ReadUnaligned<uint>(wb + 12);
                    uint sc03 = u0 & 0x3f3f3f3f;
                    uint sc47 = (u2 & 0x0f0f0f0f) | (((u0 >> 6) & 0x03030303) << 4);
                    uint mn03 = u1 & 0x3f3f3f3f;
                    uint mn47 = ((u2 >> 4) & 0x0f0f0f0f) | (((u1 >> 6) & 0x03030303) << 4);
                    var s0 = Vector256.Create((short)(sc03 & 0xFF)); var s1 = Vector256.Create((short)((sc03 >> 8) & 0xFF));
                    var s2 = Vector256.Create((short)((sc03 >> 16) & 0xFF)); var s3 = Vector256.Create((short)(sc03 >> 24));
                    var s4 = Vector256.Create((short)(sc47 & 0xFF)); var s5 = Vector256.Create((short)((sc47 >> 8) & 0xFF));
                    var s6 = Vector256.Create((short)((sc47 >> 16) & 0xFF)); var s7 = Vector256.Create((short)(sc47 >> 24));
                    // int32 lane k = mins[k] in both 16-bit halves, so vpmaddwd with the bsums gives mins[k]·s[k].
                    var mins = Avx2.ConvertToVector256Int32(Vector128.CreateScalar(((ulong)mn47 << 32) | mn03).AsByte());
                    var mins2 = (mins | Avx2.ShiftLeftLogical(mins, 16)).AsInt16();
                    var q0 = Avx.LoadVector256(wb + Q4KBlock.QsOffset);
                    var q1 = Avx.LoadVector256(wb + Q4KBlock.QsOffset + 32);
                    var q2 = Avx.LoadVector256(wb + Q4KBlock.QsOffset + 64);
                    var q3 = Avx.LoadVector256(wb + Q4KBlock.QsOffset + 96);
                    var l0 = q0 & mask; var h0 = Avx2.ShiftRightLogical(q0.AsUInt16(), 4).AsByte() & mask;
                    var l1 = q1 & mask; var h1 = Avx2.ShiftRightLogical(q1.AsUInt16(), 4).AsByte() & mask;
                    var l2 = q2 & mask; var h2 = Avx2.ShiftRightLogical(q2.AsUInt16(), 4).AsByte() & mask;
                    var l3 = q3 & mask; var h3 = Avx2.ShiftRightLogical(q3.AsUInt16(), 4).AsByte() & mask;
                    float wd = Fp16.Load(wb), wmin = Fp16.Load(wb + 2);
                    byte* xr = xb;
                    for (int i = 0; i < nr; i++, xr += xRow)
                    {
                        sbyte* q8 = (sbyte*)(xr + Q8KBlock.QsOffset);
                        var sumi = Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(l0, Avx.LoadVector256(q8)), s0)
                                 + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(h0, Avx.LoadVector256(q8 + 32)), s1);
                        sumi += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(l1, Avx.LoadVector256(q8 + 64)), s2)
                              + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(h1, Avx.LoadVector256(q8 + 96)), s3);
                        sumi += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(l2, Avx.LoadVector256(q8 + 128)), s4)
                              + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(h2, Avx.LoadVector256(q8 + 160)), s5);
                        sumi += Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(l3, Avx.LoadVector256(q8 + 192)), s6)
                              + Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(h3, Avx.LoadVector256(q8 + 224)), s7);
                        var ms = Avx2.MultiplyAddAdjacent(Avx.LoadVector256((short*)(xr + Q8KBlock.BsumsOffset)), mins2);
                        var prod = Ssse3.HorizontalAdd(ms.GetLower(), ms.GetUpper()); // prod_j = mins[2j]·s[2j] + mins[2j+1]·s[2j+1]
                        float yd = *(float*)xr;
                        float d = yd * wd;
                        float dmin = -yd * wmin;
                        acc[i] = Fma.MultiplyAdd(Vector256.Create(d), Avx.ConvertToVector256Single(sumi), acc[i]);
                        accm[i] = Fma.MultiplyAdd(Vector128.Create(dmin), Sse2.ConvertToVector128Single(prod), accm[i]);
                    }
                }
                for (int i = 0; i < nr; i++)
                {
                    var am = accm[i];
                    float mins = (am.GetElement(0) + am.GetElement(2)) + (am.GetElement(1) + am.GetElement(3));
                    y[(long)(r0 + i) * ldy + o] = SimdHelpers.HSumFloat8(acc[i]) + mins;
                }
            }
        }
    }
}
