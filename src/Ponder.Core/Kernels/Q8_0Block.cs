using System.Runtime.CompilerServices;

namespace Ponder.Kernels;

/// <summary>block_q8_0: fp16 scale d, then 32 int8 quants; value = d·q. 34 bytes for 32 values.</summary>
internal static unsafe class Q8_0Block
{
    public const int Values = 32;
    public const int Bytes = 34;

    /// <summary>quantize_row_q8_0_ref: d = amax/127, q = roundf(x/d) (halves away from zero).</summary>
    public static void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = src.Length / Values;
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * Values, Values);
            var y = dst.Slice(i * Bytes, Bytes);
            float amax = 0;
            for (int j = 0; j < Values; j++) amax = MathF.Max(amax, MathF.Abs(x[j]));
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            Unsafe.WriteUnaligned(ref y[0], Fp16.FromFloat(d));
            for (int j = 0; j < Values; j++) y[2 + j] = (byte)(sbyte)MathF.Round(x[j] * id, MidpointRounding.AwayFromZero);
        }
    }

    /// <summary>What llama.cpp's CPU backend does to activations (quantize_row_q8_0, AVX path):
    /// id = 127/amax rather than 1/d, and round-half-even (_mm256_round_ps nearest). Mirrored so our
    /// activations equal llama.cpp's, which makes logits comparable to its reference dumps.</summary>
    public static void QuantizeActivationRow(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = src.Length / Values;
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * Values, Values);
            var y = dst.Slice(i * Bytes, Bytes);
            float amax = 0;
            for (int j = 0; j < Values; j++) amax = MathF.Max(amax, MathF.Abs(x[j]));
            float d = amax / 127f;
            float id = amax != 0 ? 127f / amax : 0f;
            Unsafe.WriteUnaligned(ref y[0], Fp16.FromFloat(d));
            for (int j = 0; j < Values; j++) y[2 + j] = (byte)(sbyte)MathF.Round(x[j] * id, MidpointRounding.ToEven);
        }
    }

    public static void DequantizeRow(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = dst.Length / Values;
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * Bytes, Bytes);
            float d = Fp16.ToFloat(Unsafe.ReadUnaligned<ushort>(in b[0]));
            for (int j = 0; j < Values; j++) dst[i * Values + j] = (sbyte)b[2 + j] * d;
        }
    }
}
