using System.Runtime.CompilerServices;

namespace Ponder.Kernels;

/// <summary>Scalar reference dot products, one per weight type, each against its vec-dot activation type.
///
/// They define the float arithmetic every SIMD path must reproduce bit for bit (tests assert equality),
/// which is also what makes results batch-invariant: integer parts are exact, so only the float steps
/// below carry rounding, and their order is fixed here.
///
/// The quantized dots follow llama.cpp's x86 (AVX2) kernels exactly (ggml-cpu-quants.c,
/// ggml_vec_dot_*_q8_* under __AVX2__; llamafile's tinyBLAS uses the same per-block structure for
/// Q8_0/Q4_0 batches), because the reference logits come from that backend and quantized models amplify
/// last-bit differences: one activation on the other side of a Q8 rounding boundary moves later logits by
/// ~0.1. The structure is 8 float lanes; lane l of a 32-value chunk holds the exact integer dot of values
/// 4l..4l+3 (what vpmaddubsw+vpmaddwd or vpdpbusd produce), accumulated per lane with an fma; the lanes are
/// folded at the end by <see cref="HSum8"/> (llama.cpp's hsum_float_8).
///  * Q8_0: per block d = fp16(w.d)·fp16(x.d); acc[l] = fma(d, isum_l, acc[l]).
///  * Q4_0 is the exception: per block d as for Q8_0 and isum the exact total of all 32 values;
///    acc = fma(isum, d, acc), one chain, no fold (llama.cpp's repacked-Q4_0 kernels, see <see cref="Q4_0"/>).
///  * Q4_K: per super-block d = x.d·fp16(w.d), dmin = −x.d·fp16(w.dmin); lane l sums over the four 64-value
///    groups sc·(values 4l..4l+3 of each 32-value half); acc[l] = fma(d, isum_l, acc[l]). Mins: 4 lanes
///    m = 0..3 of (mins[2m]·s[2m] + mins[2m+1]·s[2m+1]) with s[k] the activation sum of values 32k..32k+31;
///    accm[m] = fma(dmin, prod_m, accm[m]). Result HSum8(acc) + ((accm0 + accm2) + (accm1 + accm3)).
///  * Q6_K: per super-block d = x.d·fp16(w.d); lane l sums sc·(q6 − 32)·q8 over values 4l..4l+3 of each of
///    the eight 32-value chunks; acc[l] = fma(d, isum_l, acc[l]); result HSum8(acc).
///  * F32, F16, BF16: element i goes to lane i mod 32 (a[l] = fma(w_i, x_i, a[l])), then a fixed pairwise
///    tree: halves of 32, 16, 8, 4, 2 lanes (see <see cref="Reduce32"/>).</summary>
internal static unsafe class ScalarDots
{
    public static float Q8_0(byte* w, byte* x, int k)
    {
        int nb = k / 32;
        float* acc = stackalloc float[8];
        for (int l = 0; l < 8; l++) acc[l] = 0;
        for (int b = 0; b < nb; b++, w += 34, x += 34)
        {
            float d = Fp16.Load(w) * Fp16.Load(x);
            sbyte* qw = (sbyte*)(w + 2), qx = (sbyte*)(x + 2);
            for (int l = 0; l < 8; l++)
            {
                int s = 0;
                for (int j = 4 * l; j < 4 * l + 4; j++) s += qw[j] * qx[j];
                acc[l] = MathF.FusedMultiplyAdd(d, s, acc[l]);
            }
        }
        return HSum8(acc);
    }

    /// <summary>Values 0..15 are the low nibbles of bytes 0..15, values 16..31 the high nibbles; q − 8.
    /// Not the lane structure of the others: llama.cpp repacks Q4_0 on x86 and its 8x8 gemv/gemm take each
    /// block's whole integer total into one fma chain (see <see cref="Q4_0MatMul"/>).</summary>
    public static float Q4_0(byte* w, byte* x, int k)
    {
        int nb = k / 32;
        float acc = 0;
        for (int b = 0; b < nb; b++, w += 18, x += 34)
        {
            float d = Fp16.Load(w) * Fp16.Load(x);
            byte* q = w + 2;
            sbyte* qx = (sbyte*)(x + 2);
            int s = 0;
            for (int j = 0; j < 32; j++)
            {
                int v = j < 16 ? q[j] & 0xF : q[j - 16] >> 4;
                s += (v - 8) * qx[j];
            }
            acc = MathF.FusedMultiplyAdd(s, d, acc);
        }
        return acc;
    }

    public static float Q4_K(byte* w, byte* x, int k)
    {
        int nb = k / 256;
        float* acc = stackalloc float[8];
        float* accm = stackalloc float[4];
        for (int l = 0; l < 8; l++) acc[l] = 0;
        for (int l = 0; l < 4; l++) accm[l] = 0;
        int* isum = stackalloc int[8];
        int* mins = stackalloc int[8];
        for (int b = 0; b < nb; b++, w += Q4KBlock.Bytes, x += Q8KBlock.Bytes)
        {
            var scales = new ReadOnlySpan<byte>(w + Q4KBlock.ScalesOffset, 12);
            byte* q4 = w + Q4KBlock.QsOffset;
            sbyte* q8 = (sbyte*)(x + Q8KBlock.QsOffset);
            short* bs = (short*)(x + Q8KBlock.BsumsOffset);
            float yd = *(float*)x;
            float d = yd * Fp16.Load(w);
            float dmin = -yd * Fp16.Load(w + 2);
            for (int l = 0; l < 8; l++) isum[l] = 0;
            for (int j = 0; j < 8; j++) // sub-block j: values 32j..32j+31, low (even j) or high (odd j) nibbles of bytes 32(j/2)..
            {
                Q4KBlock.ScaleMin(j, scales, out int sc, out mins[j]);
                byte* q = q4 + 32 * (j >> 1);
                int shift = (j & 1) * 4;
                for (int l = 0; l < 8; l++)
                {
                    int s = 0;
                    for (int i = 4 * l; i < 4 * l + 4; i++) s += ((q[i] >> shift) & 0xF) * q8[32 * j + i];
                    isum[l] += sc * s;
                }
            }
            for (int l = 0; l < 8; l++) acc[l] = MathF.FusedMultiplyAdd(d, isum[l], acc[l]);
            for (int m = 0; m < 4; m++)
            {
                int prod = mins[2 * m] * (bs[4 * m] + bs[4 * m + 1]) + mins[2 * m + 1] * (bs[4 * m + 2] + bs[4 * m + 3]);
                accm[m] = MathF.FusedMultiplyAdd(dmin, prod, accm[m]);
            }
        }
        return HSum8(acc) + ((accm[0] + accm[2]) + (accm[1] + accm[3]));
    }

    public static float Q6_K(byte* w, byte* x, int k)
    {
        int nb = k / 256;
        float* acc = stackalloc float[8];
        for (int l = 0; l < 8; l++) acc[l] = 0;
        int* isum = stackalloc int[8];
        for (int b = 0; b < nb; b++, w += Q6KBlock.Bytes, x += Q8KBlock.Bytes)
        {
            sbyte* q8 = (sbyte*)(x + Q8KBlock.QsOffset);
            sbyte* sc = (sbyte*)(w + Q6KBlock.ScalesOffset);
            float d = *(float*)x * Fp16.Load(w + Q6KBlock.DOffset);
            for (int l = 0; l < 8; l++) isum[l] = 0;
            for (int n = 0; n < 2; n++)
            {
                byte* ql = w + 64 * n;
                byte* qh = w + Q6KBlock.QhOffset + 32 * n;
                for (int c = 0; c < 4; c++) // 32-value chunk c of this half: values 128n + 32c + i
                {
                    for (int l = 0; l < 8; l++)
                    {
                        int s = 0;
                        for (int i = 4 * l; i < 4 * l + 4; i++)
                        {
                            int lo = c switch { 0 => ql[i] & 0xF, 1 => ql[i + 32] & 0xF, 2 => ql[i] >> 4, _ => ql[i + 32] >> 4 };
                            int hi = (qh[i] >> (2 * c)) & 3;
                            s += ((lo | (hi << 4)) - 32) * q8[128 * n + 32 * c + i];
                        }
                        isum[l] += sc[8 * n + 2 * c + (l >= 4 ? 1 : 0)] * s;
                    }
                }
            }
            for (int l = 0; l < 8; l++) acc[l] = MathF.FusedMultiplyAdd(d, isum[l], acc[l]);
        }
        return HSum8(acc);
    }

    public static float F32(byte* w, byte* x, int k)
    {
        float* a = stackalloc float[32];
        float* pw = (float*)w, px = (float*)x;
        for (int i = 0; i < k; i++) a[i & 31] = MathF.FusedMultiplyAdd(pw[i], px[i], a[i & 31]);
        return Reduce32(a);
    }

    public static float F16(byte* w, byte* x, int k)
    {
        float* a = stackalloc float[32];
        ushort* pw = (ushort*)w, px = (ushort*)x;
        for (int i = 0; i < k; i++) a[i & 31] = MathF.FusedMultiplyAdd(Fp16.ToFloat(pw[i]), Fp16.ToFloat(px[i]), a[i & 31]);
        return Reduce32(a);
    }

    public static float BF16(byte* w, byte* x, int k)
    {
        float* a = stackalloc float[32];
        ushort* pw = (ushort*)w, px = (ushort*)x;
        for (int i = 0; i < k; i++) a[i & 31] = MathF.FusedMultiplyAdd(Bf16.ToFloat(pw[i]), Bf16.ToFloat(px[i]), a[i & 31]);
        return Reduce32(a);
    }

    /// <summary>llama.cpp's hsum_float_8: r_i = a_i + a_{i+4}, then (r0 + r2) + (r1 + r3).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float HSum8(float* a)
    {
        float r0 = a[0] + a[4], r1 = a[1] + a[5], r2 = a[2] + a[6], r3 = a[3] + a[7];
        return (r0 + r2) + (r1 + r3);
    }

    /// <summary>The fixed reduction of 32 lane sums: fold the upper half onto the lower, 32→16→8→4→2→1.
    /// It is what SIMD code does naturally (add high half to low half), so all paths share it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Reduce32(float* a)
    {
        for (int n = 16; n >= 1; n >>= 1)
            for (int i = 0; i < n; i++) a[i] += a[i + n];
        return a[0];
    }
}
