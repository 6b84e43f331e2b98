using System.Runtime.CompilerServices;

namespace Ponder.Kernels;

/// <summary>block_q8_K (activations for the k-quants): float32 d, 256 int8 quants, then 16 int16 sums of
/// each run of 16 quants (bsums), which let a dot fold a weight block's mins in without touching the
/// quants again. 292 bytes for 256 values.</summary>
internal static class Q8KBlock
{
    public const int Values = 256;
    public const int Bytes = 292;
    public const int QsOffset = 4;
    public const int BsumsOffset = 260;

    /// <summary>quantize_row_q8_K_ref: iscale = −127/(signed value of largest magnitude), q = min(127, nearest_int(x·iscale)), d = 1/iscale.</summary>
    public static void QuantizeRow(ReadOnlySpan<float> src, Span<byte> dst)
    {
        int nb = src.Length / Values;
        for (int i = 0; i < nb; i++)
        {
            var x = src.Slice(i * Values, Values);
            var y = dst.Slice(i * Bytes, Bytes);
            float max = 0, amax = 0;
            for (int j = 0; j < Values; ++j)
            {
                float ax = MathF.Abs(x[j]);
                if (ax > amax) { amax = ax; max = x[j]; }
            }
            if (amax == 0)
            {
                // ggml leaves bsums unwritten here; zero them so the bytes are deterministic.
                y.Clear();
                continue;
            }
            float iscale = -127f / max;
            var qs = y.Slice(QsOffset, Values);
            for (int j = 0; j < Values; ++j) qs[j] = (byte)(sbyte)Math.Min(127, NearestInt.Of(iscale * x[j]));
            for (int j = 0; j < 16; ++j)
            {
                int sum = 0;
                for (int ii = 0; ii < 16; ++ii) sum += (sbyte)qs[j * 16 + ii];
                Unsafe.WriteUnaligned(ref y[BsumsOffset + 2 * j], (short)sum);
            }
            Unsafe.WriteUnaligned(ref y[0], 1 / iscale);
        }
    }

    public static void DequantizeRow(ReadOnlySpan<byte> src, Span<float> dst)
    {
        int nb = dst.Length / Values;
        for (int i = 0; i < nb; i++)
        {
            var b = src.Slice(i * Bytes, Bytes);
            float d = Unsafe.ReadUnaligned<float>(in b[0]);
            for (int j = 0; j < Values; j++) dst[i * Values + j] = d * (sbyte)b[QsOffset + j];
        }
    }
}
