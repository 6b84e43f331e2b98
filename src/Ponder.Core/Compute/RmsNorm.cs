namespace Ponder.Compute;

/// <summary>y = x / sqrt(mean(x²) + eps) · w. The sum of squares is accumulated in double, as ggml does,
/// so results track llama.cpp closely; the order is fixed per row (batch invariance).</summary>
public static class RmsNorm
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y, float eps)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++) sum += (double)x[i] * x[i];
        float scale = 1.0f / MathF.Sqrt((float)(sum / x.Length) + eps);
        for (int i = 0; i < x.Length; i++) y[i] = x[i] * scale * weight[i];
    }
}
