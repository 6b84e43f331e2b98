using System.Runtime.CompilerServices;

namespace Ponder.Kernels;

/// <summary>block_q4_0: fp16 scale d, then 16 bytes of nibbles; byte j holds value j (low nibble)
/// and value j+16 (high nibble); value = d·(q − 8). 18 bytes for 32 values.</summary>
internal static class Q4_0Block
{
    public const int Values = 32;
    public const int Bytes = 18;

    /// <summary>quantize_row_q4_0_ref: d = (signed value of largest magnitude)/−8, q = min(15, (int8)(x/d + 8.5)).</summary>
    public static void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = src.Length / Values;
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * Values, Values);
            var y = dst.Slice(i * Bytes, Bytes);
            float amax = 0, max = 0;
            for (int j = 0; j < Values; j++)
            {
                float v = x[j];
                if (amax < MathF.Abs(v)) { amax = MathF.Abs(v); max = v; }
            }
            float d = max / -8f;
            float id = d != 0 ? 1f / d : 0f;
            Unsafe.WriteUnaligned(ref y[0], Fp16.FromFloat(d));
            for (int j = 0; j < 16; j++)
            {
                // (int8_t) cast truncates toward zero; the value is in [0.5, 16.5] so it never wraps.
                int xi0 = Math.Min(15, (int)(sbyte)(int)(x[j] * id + 8.5f));
                int xi1 = Math.Min(15, (int)(sbyte)(int)(x[16 + j] * id + 8.5f));
                y[2 + j] = (byte)(xi0 | (xi1 << 4));
            }
        }
    }

    public static void DequantizeRow(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = dst.Length / Values;
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * Bytes, Bytes);
            float d = Fp16.ToFloat(Unsafe.ReadUnaligned<ushort>(in b[0]));
            for (int j = 0; j < 16; j++)
            {
                dst[i * Values + j] = ((b[2 + j] & 0xF) - 8) * d;
                dst[i * Values + j + 16] = ((b[2 + j] >> 4) - 8) * d;
            }
        }
    }
}
