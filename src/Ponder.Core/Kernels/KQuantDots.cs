using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ponder.Kernels;

/// <summary>SIMD Q6_K·Q8_K dot (Q4_K has its own tiled matmul, <see cref="Q4KMatMul"/>) with llama.cpp's AVX2 lane structure: 8 int lanes per
/// super-block (lane l: values 4l..4l+3 of every 32-value chunk, scaled), one fma per super-block into an
/// 8-lane float accumulator, hsum_float_8 at the end (<see cref="ScalarDots.Q6_K"/>), so the result is bitwise equal to the scalar reference.
/// One dot per (row, weight) pair, so batch invariance holds by construction.</summary>
internal static unsafe class KQuantDots
{
    /// <summary>q6 is used unsigned (0..63) in the 8-bit dot and the −32 offset is taken off per lane with a
    /// second dot (32·x), which keeps each lane's integer exactly Σ (q − 32)·x over its four values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float Q6_K<TDot>(byte* w, byte* x, int k) where TDot : IDot8
    {
        int nb = k / 256;
        var acc = Vector256<float>.Zero;
        var m4 = Vector256.Create((byte)0xF);
        var m2 = Vector256.Create((byte)0x3);
        var m32 = Vector256.Create((byte)32);
        for (int b = 0; b < nb; b++, w += Q6KBlock.Bytes, x += Q8KBlock.Bytes)
        {
            sbyte* q8 = (sbyte*)(x + Q8KBlock.QsOffset);
            sbyte* sc = (sbyte*)(w + Q6KBlock.ScalesOffset);
            var sumi = Vector256<int>.Zero;
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
                var x0 = Avx.LoadVector256(xs);
                var x1 = Avx.LoadVector256(xs + 32);
                var x2 = Avx.LoadVector256(xs + 64);
                var x3 = Avx.LoadVector256(xs + 96);
                sumi += Avx2.MultiplyLow(TDot.Dot(q0, x0) - TDot.Dot(m32, x0), Scales(s[0], s[1]));
                sumi += Avx2.MultiplyLow(TDot.Dot(q1, x1) - TDot.Dot(m32, x1), Scales(s[2], s[3]));
                sumi += Avx2.MultiplyLow(TDot.Dot(q2, x2) - TDot.Dot(m32, x2), Scales(s[4], s[5]));
                sumi += Avx2.MultiplyLow(TDot.Dot(q3, x3) - TDot.Dot(m32, x3), Scales(s[6], s[7]));
            }
            float d = *(float*)x * Fp16.Load(w + Q6KBlock.DOffset);
            acc = Fma.MultiplyAdd(Vector256.Create(d), Avx.ConvertToVector256Single(sumi), acc);
        }
        return SimdHelpers.HSumFloat8(acc);
    }

    /// <summary>Lanes 0-3 (bytes 0-15: the first 16-value sub-block) get a, lanes 4-7 get b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static Vector256<int> Scales(sbyte a, sbyte b) => Vector256.Create(Vector128.Create((int)a), Vector128.Create((int)b));

    public static float Q6_KAvx2(byte* w, byte* x, int k) => Q6_K<MaddDot8>(w, x, k);
    public static float Q6_KVnni(byte* w, byte* x, int k) => Q6_K<VnniDot8>(w, x, k);
}
