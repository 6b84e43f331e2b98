using Ponder.Models;

namespace Ponder.Compute;

/// <summary>
/// Rotary position embedding applied in place to each head of a row. Angles follow ggml's
/// recurrence (theta starts at the position and is multiplied by base^(-2/dims) per pair, in
/// float) rather than pow per pair, so values match llama.cpp to the last bits where possible.
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
                x[a] = x0 * cos[i] - x1 * sin[i];
                x[b] = x0 * sin[i] + x1 * cos[i];
            }
        }
    }
}
