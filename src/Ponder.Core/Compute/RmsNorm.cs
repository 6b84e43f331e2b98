namespace Ponder.Compute;

/// <summary>y = x / sqrt(mean(x²) + eps) · w, as ggml computes it: each square in float, summed in
/// double, in a fixed order per row (batch invariance), so results track llama.cpp bit for bit.</summary>
public static class RmsNorm
{
    public static void Apply(ReadOnlySpan<float> x, ReadOnlySpan<float> weight, Span<float> y, float eps)
    {
        double sum = 0;
        for (int i = 0; i < x.Length; i++) sum += x[i] * x[i];
        float mean = (float)(sum / x.Length);
        float scale = 1.0f / MathF.Sqrt(mean + eps);
        for (int i = 0; i < x.Length; i++) y[i] = x[i] * scale * weight[i];
    }
}
