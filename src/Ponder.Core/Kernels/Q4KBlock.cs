using System.Runtime.CompilerServices;

namespace Ponder.Kernels;

/// <summary>block_q4_K: fp16 d, fp16 dmin, 12 bytes packing eight 6-bit scales and eight 6-bit mins,
/// then 128 bytes of nibbles. 256 values in 8 sub-blocks of 32; value = d·sc·q − dmin·m.
/// Bytes 32j..32j+31 of qs hold sub-block 2j (low nibbles) and 2j+1 (high nibbles).</summary>
internal static class Q4KBlock
{
    public const int Values = 256;
    public const int Bytes = 144;
    public const int ScalesOffset = 4;
    public const int QsOffset = 16;

    /// <summary>get_scale_min_k4: sub-block j's 6-bit scale and min from the 12 packed bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ScaleMin(int j, ReadOnlySpan<byte> q, out int sc, out int m)
    {
        if (j < 4)
        {
            sc = q[j] & 63;
            m = q[j + 4] & 63;
        }
        else
        {
            sc = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
            m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
        }
    }

    /// <summary>quantize_row_q4_K_ref (no importance matrix, as llama-quantize does without one).</summary>
    public static void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = src.Length / Values;
        Span<byte> L = stackalloc byte[Values];
        Span<byte> laux = stackalloc byte[32];
        Span<float> weights = stackalloc float[32];
        Span<float> mins = stackalloc float[8];
        Span<float> scales = stackalloc float[8];
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * Values, Values);
            var y = dst.Slice(i * Bytes, Bytes);
            y.Clear();
            float maxScale = 0, maxMin = 0;
            for (int j = 0; j < 8; ++j)
            {
                var xs = x.Slice(32 * j, 32);
                float sumX2 = 0;
                for (int l = 0; l < 32; ++l) sumX2 += xs[l] * xs[l];
                float avX = MathF.Sqrt(sumX2 / 32);
                for (int l = 0; l < 32; ++l) weights[l] = avX + MathF.Abs(xs[l]);
                scales[j] = KQuantFit.MakeQkx2(32, 15, xs, weights, L.Slice(32 * j, 32), out mins[j], laux, -1f, 0.1f, 20, false);
                if (scales[j] > maxScale) maxScale = scales[j];
                if (mins[j] > maxMin) maxMin = mins[j];
            }
            float invScale = maxScale > 0 ? 63f / maxScale : 0f;
            float invMin = maxMin > 0 ? 63f / maxMin : 0f;
            var sc = y.Slice(ScalesOffset, 12);
            for (int j = 0; j < 8; ++j)
            {
                // uint8_t ls = nearest_int(...): truncate to a byte first, then clamp, as the C does.
                byte ls = (byte)NearestInt.Of(invScale * scales[j]);
                byte lm = (byte)NearestInt.Of(invMin * mins[j]);
                ls = Math.Min((byte)63, ls);
                lm = Math.Min((byte)63, lm);
                if (j < 4)
                {
                    sc[j] = ls;
                    sc[j + 4] = lm;
                }
                else
                {
                    sc[j + 4] = (byte)((ls & 0xF) | ((lm & 0xF) << 4));
                    sc[j - 4] |= (byte)((ls >> 4) << 6);
                    sc[j] |= (byte)((lm >> 4) << 6);
                }
            }
            ushort dBits = Fp16.FromFloat(maxScale / 63f);
            ushort mBits = Fp16.FromFloat(maxMin / 63f);
            Unsafe.WriteUnaligned(ref y[0], dBits);
            Unsafe.WriteUnaligned(ref y[2], mBits);
            float dAll = Fp16.ToFloat(dBits), mAll = Fp16.ToFloat(mBits);
            for (int j = 0; j < 8; ++j)
            {
                ScaleMin(j, sc, out int s, out int m);
                float d = dAll * s;
                if (d == 0) continue;
                float dm = mAll * m;
                for (int ii = 0; ii < 32; ++ii)
                {
                    int l = NearestInt.Of((x[32 * j + ii] + dm) / d);
                    L[32 * j + ii] = (byte)Math.Max(0, Math.Min(15, l));
                }
            }
            var q = y.Slice(QsOffset, 128);
            for (int j = 0, o = 0; j < Values; j += 64, o += 32)
                for (int l = 0; l < 32; ++l) q[o + l] = (byte)(L[j + l] | (L[j + l + 32] << 4));
        }
    }

    public static void DequantizeRow(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = dst.Length / Values;
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * Bytes, Bytes);
            var y = dst.Slice(i * Values, Values);
            float d = Fp16.ToFloat(Unsafe.ReadUnaligned<ushort>(in b[0]));
            float min = Fp16.ToFloat(Unsafe.ReadUnaligned<ushort>(in b[2]));
            var sc = b.Slice(ScalesOffset, 12);
            var q = b.Slice(QsOffset, 128);
            for (int j = 0, o = 0, qo = 0; j < 8; j += 2, o += 64, qo += 32)
            {
                ScaleMin(j, sc, out int s1, out int m1);
                ScaleMin(j + 1, sc, out int s2, out int m2);
                float d1 = d * s1, dm1 = min * m1, d2 = d * s2, dm2 = min * m2;
                for (int l = 0; l < 32; ++l) y[o + l] = d1 * (q[qo + l] & 0xF) - dm1;
                for (int l = 0; l < 32; ++l) y[o + 32 + l] = d2 * (q[qo + l] >> 4) - dm2;
            }
        }
    }
}
