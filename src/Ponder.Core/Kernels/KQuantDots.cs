using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ponder.Kernels;

/// <summary>SIMD Q4_K·Q8_K and Q6_K·Q8_K dots. Integer sums per super-block are computed with vectors
/// (exact, so any lane order is fine), then the float steps are the scalar reference's, in its order
/// (<see cref="ScalarDots.Q4_K"/>, <see cref="ScalarDots.Q6_K"/>), making the result bitwise equal to it.
/// One dot per (row, weight) pair: a super-block is 256 values, so the per-pair horizontal sum is cheap
/// and no tiling is needed for invariance.</summary>
internal static unsafe class KQuantDots
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static int HSum(Vector256<int> v)
    {
        var s = Sse2.Add(v.GetLower(), v.GetUpper());
        s = Sse2.Add(s, Sse2.Shuffle(s, 0b_01_00_11_10));
        s = Sse2.Add(s, Sse2.Shuffle(s, 0b_10_11_00_01));
        return s.ToScalar();
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q4_K<TDot>(byte* w, byte* x, int k) where TDot : IDot8
    {
        int nb = k / 256;
        float acc = 0;
        var mask = Vector256.Create((byte)0xF);
        for (int b = 0; b < nb; b++, w += Q4KBlock.Bytes, x += Q8KBlock.Bytes)
        {
            var scales = new ReadOnlySpan<byte>(w + Q4KBlock.ScalesOffset, 12);
            byte* q4 = w + Q4KBlock.QsOffset;
            sbyte* q8 = (sbyte*)(x + Q8KBlock.QsOffset);
            short* bs = (short*)(x + Q8KBlock.BsumsOffset);
            var sumi = Vector256<int>.Zero;
            int msum = 0;
            for (int j = 0; j < 4; j++)
            {
                Q4KBlock.ScaleMin(2 * j, scales, out int sc0, out int m0);
                Q4KBlock.ScaleMin(2 * j + 1, scales, out int sc1, out int m1);
                var q = Avx.LoadVector256(q4 + 32 * j);
                var lo = q & mask;
                var hi = Avx2.ShiftRightLogical(q.AsUInt16(), 4).AsByte() & mask;
                var p0 = TDot.Dot(lo, Avx.LoadVector256(q8 + 64 * j));
                var p1 = TDot.Dot(hi, Avx.LoadVector256(q8 + 64 * j + 32));
                sumi += Avx2.MultiplyLow(p0, Vector256.Create(sc0)) + Avx2.MultiplyLow(p1, Vector256.Create(sc1));
                msum += m0 * (bs[4 * j] + bs[4 * j + 1]) + m1 * (bs[4 * j + 2] + bs[4 * j + 3]);
            }
            int isum = HSum(sumi);
            float yd = *(float*)x;
            float d = Fp16.Load(w) * yd;
            float dmin = Fp16.Load(w + 2) * yd;
            acc = MathF.FusedMultiplyAdd(d, isum, acc);
            acc = MathF.FusedMultiplyAdd(-dmin, msum, acc);
        }
        return acc;
    }

    /// <summary>q6 is used unsigned (0..63) and the −32 offset folded in afterwards through the activation
    /// block sums: Σ sc·(q−32)·x = Σ sc·q·x − 32·Σ sc·bsum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q6_K<TDot>(byte* w, byte* x, int k) where TDot : IDot8
    {
        int nb = k / 256;
        float acc = 0;
        var m4 = Vector256.Create((byte)0xF);
        var m2 = Vector256.Create((byte)0x3);
        for (int b = 0; b < nb; b++, w += Q6KBlock.Bytes, x += Q8KBlock.Bytes)
        {
            sbyte* q8 = (sbyte*)(x + Q8KBlock.QsOffset);
            sbyte* sc = (sbyte*)(w + Q6KBlock.ScalesOffset);
            short* bs = (short*)(x + Q8KBlock.BsumsOffset);
            var sumi = Vector256<int>.Zero;
            int offset = 0;
            for (int j = 0; j < 16; j++) offset += sc[j] * bs[j];
            for (int n = 0; n < 2; n++)
            {
                var qla = Avx.LoadVector256(w + 64 * n);
                var qlb = Avx.LoadVector256(w + 64 * n + 32);
                var qh = Avx.LoadVector256(w + Q6KBlock.QhOffset + 32 * n);
                var qa4 = Avx2.ShiftRightLogical(qla.AsUInt16(), 4).AsByte() & m4;
                var qb4 = Avx2.ShiftRightLogical(qlb.AsUInt16(), 4).AsByte() & m4;
                var h2 = Avx2.ShiftRightLogical(qh.AsUInt16(), 2).AsByte() & m2;
                var h4 = Avx2.ShiftRightLogical(qh.AsUInt16(), 4).AsByte() & m2;
                var h6 = Avx2.ShiftRightLogical(qh.AsUInt16(), 6).AsByte() & m2;
                var q0 = (qla & m4) | Avx2.ShiftLeftLogical((qh & m2).AsUInt16(), 4).AsByte();
                var q1 = (qlb & m4) | Avx2.ShiftLeftLogical(h2.AsUInt16(), 4).AsByte();
                var q2 = qa4 | Avx2.ShiftLeftLogical(h4.AsUInt16(), 4).AsByte();
                var q3 = qb4 | Avx2.ShiftLeftLogical(h6.AsUInt16(), 4).AsByte();
                sbyte* xs = q8 + 128 * n;
                sbyte* s = sc + 8 * n;
                sumi += Avx2.MultiplyLow(TDot.Dot(q0, Avx.LoadVector256(xs)), Scales(s[0], s[1]));
                sumi += Avx2.MultiplyLow(TDot.Dot(q1, Avx.LoadVector256(xs + 32)), Scales(s[2], s[3]));
                sumi += Avx2.MultiplyLow(TDot.Dot(q2, Avx.LoadVector256(xs + 64)), Scales(s[4], s[5]));
                sumi += Avx2.MultiplyLow(TDot.Dot(q3, Avx.LoadVector256(xs + 96)), Scales(s[6], s[7]));
            }
            int isum = HSum(sumi) - 32 * offset;
            float d = Fp16.Load(w + Q6KBlock.DOffset) * *(float*)x;
            acc = MathF.FusedMultiplyAdd(d, isum, acc);
        }
        return acc;
    }

    /// <summary>Lanes 0-3 (bytes 0-15: the first 16-value sub-block) get a, lanes 4-7 get b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<int> Scales(sbyte a, sbyte b) => Vector256.Create(Vector128.Create((int)a), Vector128.Create((int)b));

    public static float Q4_KAvx2(byte* w, byte* x, int k) => Q4_K<MaddDot8>(w, x, k);
    public static float Q4_KVnni(byte* w, byte* x, int k) => Q4_K<VnniDot8>(w, x, k);
    public static float Q6_KAvx2(byte* w, byte* x, int k) => Q6_K<MaddDot8>(w, x, k);
    public static float Q6_KVnni(byte* w, byte* x, int k) => Q6_K<VnniDot8>(w, x, k);
}
