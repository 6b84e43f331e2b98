using System.Runtime.CompilerServices;

namespace Ponder.Kernels;

/// <summary>Scalar reference dot products, one per weight type, each against its vec-dot activation type.
///
/// They define the float arithmetic every SIMD path must reproduce bit for bit (tests assert equality),
/// which is also what makes results batch-invariant: integer parts are exact, so only the float steps
/// below carry rounding, and their order is fixed here.
///  * Q8_0, Q4_0 (32-value blocks): s_b = exact integer dot of block b; d_b = d_w·d_x (exact: two fp16
///    significands fit in a float); even blocks accumulate into a0, odd into a1, each as a0 = fma(d_b, s_b, a0);
///    result a0 + a1. Two chains let a SIMD path hold two blocks per 512-bit register.
///  * Q4_K, Q6_K (256-value super-blocks): per super-block exact integer sums, then one or two fmas into a
///    single accumulator, in block order.
///  * F32, F16, BF16: element i goes to lane i mod 32 (a[l] = fma(w_i, x_i, a[l])), then a fixed pairwise
///    tree: halves of 32, 16, 8, 4, 2 lanes (see <see cref="Reduce32"/>).</summary>
internal static unsafe class ScalarDots
{
    public static float Q8_0(byte* w, byte* x, int k)
    {
        int nb = k / 32;
        float a0 = 0, a1 = 0;
        for (int b = 0; b < nb; b++, w += 34, x += 34)
        {
            int s = 0;
            for (int j = 0; j < 32; j++) s += (sbyte)w[2 + j] * (sbyte)x[2 + j];
            float d = Fp16.Load(w) * Fp16.Load(x);
            if ((b & 1) == 0) a0 = MathF.FusedMultiplyAdd(d, s, a0);
            else a1 = MathF.FusedMultiplyAdd(d, s, a1);
        }
        return a0 + a1;
    }

    public static float Q4_0(byte* w, byte* x, int k)
    {
        int nb = k / 32;
        float a0 = 0, a1 = 0;
        for (int b = 0; b < nb; b++, w += 18, x += 34)
        {
            int s = 0;
            for (int j = 0; j < 16; j++)
                s += ((w[2 + j] & 0xF) - 8) * (sbyte)x[2 + j] + ((w[2 + j] >> 4) - 8) * (sbyte)x[18 + j];
            float d = Fp16.Load(w) * Fp16.Load(x);
            if ((b & 1) == 0) a0 = MathF.FusedMultiplyAdd(d, s, a0);
            else a1 = MathF.FusedMultiplyAdd(d, s, a1);
        }
        return a0 + a1;
    }

    /// <summary>Σ_j sc_j·(q4·q8 over sub-block j) and Σ_j m_j·(bsums of sub-block j); then
    /// acc = fma(d_w·d_x, isum, acc); acc = fma(−(dmin_w·d_x), msum, acc).</summary>
    public static float Q4_K(byte* w, byte* x, int k)
    {
        int nb = k / 256;
        float acc = 0;
        for (int b = 0; b < nb; b++, w += Q4KBlock.Bytes, x += Q8KBlock.Bytes)
        {
            var scales = new ReadOnlySpan<byte>(w + Q4KBlock.ScalesOffset, 12);
            byte* q4 = w + Q4KBlock.QsOffset;
            sbyte* q8 = (sbyte*)(x + Q8KBlock.QsOffset);
            short* bs = (short*)(x + Q8KBlock.BsumsOffset);
            int isum = 0, msum = 0;
            for (int j = 0; j < 8; j++)
            {
                Q4KBlock.ScaleMin(j, scales, out int sc, out int m);
                byte* q = q4 + 32 * (j >> 1);
                int shift = (j & 1) * 4;
                int s = 0;
                for (int l = 0; l < 32; l++) s += ((q[l] >> shift) & 0xF) * q8[32 * j + l];
                isum += sc * s;
                msum += m * (bs[2 * j] + bs[2 * j + 1]);
            }
            float yd = *(float*)x;
            float d = Fp16.Load(w) * yd;
            float dmin = Fp16.Load(w + 2) * yd;
            acc = MathF.FusedMultiplyAdd(d, isum, acc);
            acc = MathF.FusedMultiplyAdd(-dmin, msum, acc);
        }
        return acc;
    }

    /// <summary>Σ over 16 sub-blocks of scale·((q6 − 32)·q8); acc = fma(d_w·d_x, isum, acc).</summary>
    public static float Q6_K(byte* w, byte* x, int k)
    {
        int nb = k / 256;
        float acc = 0;
        for (int b = 0; b < nb; b++, w += Q6KBlock.Bytes, x += Q8KBlock.Bytes)
        {
            sbyte* q8 = (sbyte*)(x + Q8KBlock.QsOffset);
            sbyte* sc = (sbyte*)(w + Q6KBlock.ScalesOffset);
            int isum = 0;
            for (int n = 0; n < 2; n++)
            {
                byte* ql = w + 64 * n;
                byte* qh = w + Q6KBlock.QhOffset + 32 * n;
                for (int g = 0; g < 8; g++) // sub-block 8n+g holds values 128n + 16g .. +15
                {
                    int s = 0;
                    for (int t = 0; t < 16; t++)
                    {
                        int v = 16 * g + t; // 0..127 inside this half
                        int l = v & 31, quarter = v >> 5;
                        int lo = quarter switch { 0 => ql[l] & 0xF, 1 => ql[l + 32] & 0xF, 2 => ql[l] >> 4, _ => ql[l + 32] >> 4 };
                        int hi = (qh[l] >> (2 * quarter)) & 3;
                        s += ((lo | (hi << 4)) - 32) * q8[128 * n + v];
                    }
                    isum += sc[8 * n + g] * s;
                }
            }
            float d = Fp16.Load(w + Q6KBlock.DOffset) * *(float*)x;
            acc = MathF.FusedMultiplyAdd(d, isum, acc);
        }
        return acc;
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
