using Ponder.Models;

namespace Ponder.Compute;

/// <summary>
/// Rotary position embedding applied in place to each head of a row. Angles follow ggml's
/// recurrence (theta starts at the position and is multiplied by base^(-2/dims) per pair, in
/// float) rather than pow per pair, so values match llama.cpp to the last bits where possible.
/// The rotation is fma(x0, cos, −x1·sin) and fma(x0, sin, x1·cos), the form GCC emits for ggml's
/// scalar rope loop (its AVX-512 loop fuses the second line as fma(x1, cos, x0·sin)); llama.cpp's
/// logits for tiny-llama-q4_k match only with the scalar form on Q.
/// </summary>
public static class Rope
{
    public static void Apply(Span<float> row, int heads, int headDim, int ropeDims, int position, float freqBase, RopeStyle style)
    {
        float thetaScale = MathF.Pow(freqBase, -2.0f / ropeDims);
        Span<float> cos = stackalloc float[ropeDims / 2];
        Span<float> sin = stackalloc float[ropeDims / 2];
        float theta = position;
        for (int i = 0; i < ropeDims / 2; i++)
        {
            cos[i] = MathF.Cos(theta);
            sin[i] = MathF.Sin(theta);
            theta *= thetaScale;
        }
        int half = ropeDims / 2;
        for (int h = 0; h < heads; h++)
        {
            var x = row.Slice(h * headDim, headDim);
            for (int i = 0; i < half; i++)
            {
                int a = style == RopeStyle.Adjacent ? 2 * i : i;
                int b = style == RopeStyle.Adjacent ? 2 * i + 1 : i + half;
                float x0 = x[a], x1 = x[b];
                // ggml's C (GCC contracts a*b ± c*d by default) fuses the first product with the
                // rounded second one; plain mul/add differs in the last bit, which the F16 rounding
                // of Q before Q·K occasionally turns into a different score.
                x[a] = MathF.FusedMultiplyAdd(x0, cos[i], -(x1 * sin[i]));
                x[b] = MathF.FusedMultiplyAdd(x0, sin[i], x1 * cos[i]);
            }
        }
    }
}
