using System.Runtime.CompilerServices;

namespace Ponder.Kernels;

/// <summary>block_q6_K: 128 bytes ql (low 4 bits), 64 bytes qh (high 2 bits), 16 int8 scales, fp16 d.
/// 256 values in 16 sub-blocks of 16; value = d·scale·(q − 32). Within each half of 128 values,
/// value l (+32, +64, +96) takes ql[l] low, ql[l+32] low, ql[l] high, ql[l+32] high nibbles and
/// qh[l] bits 0-1, 2-3, 4-5, 6-7.</summary>
internal static class Q6KBlock
{
    public const int Values = 256;
    public const int Bytes = 210;
    public const int QhOffset = 128;
    public const int ScalesOffset = 192;
    public const int DOffset = 208;

    /// <summary>quantize_row_q6_K_ref.</summary>
    public static void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = src.Length / Values;
        Span<sbyte> L = stackalloc sbyte[Values];
        Span<float> scales = stackalloc float[16];
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * Values, Values);
            var y = dst.Slice(i * Bytes, Bytes);
            float maxScale = 0, maxAbsScale = 0;
            for (int ib = 0; ib < 16; ++ib)
            {
                float scale = KQuantFit.MakeQx(16, 32, x.Slice(16 * ib, 16), L.Slice(16 * ib, 16), 1);
                scales[ib] = scale;
                float abs = MathF.Abs(scale);
                if (abs > maxAbsScale) { maxAbsScale = abs; maxScale = scale; }
            }
            y.Clear();
            if (maxAbsScale < 1e-15f) continue;
            float iscale = -128f / maxScale;
            ushort dBits = Fp16.FromFloat(1 / iscale);
            Unsafe.WriteUnaligned(ref y[DOffset], dBits);
            var sc = y.Slice(ScalesOffset, 16);
            for (int ib = 0; ib < 16; ++ib) sc[ib] = (byte)(sbyte)Math.Min(127, NearestInt.Of(iscale * scales[ib]));
            float dAll = Fp16.ToFloat(dBits);
            for (int j = 0; j < 16; ++j)
            {
                float d = dAll * (sbyte)sc[j];
                if (d == 0) continue;
                for (int ii = 0; ii < 16; ++ii)
                {
                    int l = NearestInt.Of(x[16 * j + ii] / d);
                    L[16 * j + ii] = (sbyte)(Math.Max(-32, Math.Min(31, l)) + 32);
                }
            }
            var ql = y[..128];
            var qh = y.Slice(QhOffset, 64);
            for (int j = 0, qlo = 0, qho = 0; j < Values; j += 128, qlo += 64, qho += 32)
            {
                for (int l = 0; l < 32; ++l)
                {
                    int q1 = L[j + l] & 0xF, q2 = L[j + l + 32] & 0xF, q3 = L[j + l + 64] & 0xF, q4 = L[j + l + 96] & 0xF;
                    ql[qlo + l] = (byte)(q1 | (q3 << 4));
                    ql[qlo + l + 32] = (byte)(q2 | (q4 << 4));
                    qh[qho + l] = (byte)((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) | ((L[j + l + 64] >> 4) << 4) | ((L[j + l + 96] >> 4) << 6));
                }
            }
        }
    }

    public static void DequantizeRow(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = dst.Length / Values;
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * Bytes, Bytes);
            var y = dst.Slice(i * Values, Values);
            float d = Fp16.ToFloat(Unsafe.ReadUnaligned<ushort>(in b[DOffset]));
            for (int n = 0; n < 2; n++)
            {
                var ql = b.Slice(64 * n, 64);
                var qh = b.Slice(QhOffset + 32 * n, 32);
                var sc = b.Slice(ScalesOffset + 8 * n, 8);
                var yy = y.Slice(128 * n, 128);
                for (int l = 0; l < 32; ++l)
                {
                    int s = l / 16;
                    int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
                    int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
                    int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                    int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                    yy[l] = d * (sbyte)sc[s] * q1;
                    yy[l + 32] = d * (sbyte)sc[s + 2] * q2;
                    yy[l + 64] = d * (sbyte)sc[s + 4] * q3;
                    yy[l + 96] = d * (sbyte)sc[s + 6] * q4;
                }
            }
        }
    }
}
