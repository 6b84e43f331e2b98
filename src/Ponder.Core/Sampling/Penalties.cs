namespace Ponder.Sampling;

/// <summary>
/// Repetition (llama.cpp / CTRL), presence and frequency (OpenAI) penalties over the recent-token
/// window. Cost is O(window), not O(vocabulary): counts go into a zeroed per-thread table and are
/// cleared again as each distinct token is penalised.
/// </summary>
internal static class Penalties
{
    public static void Apply(Span<float> logits, ReadOnlySpan<int> window, SamplingParams p, int[] counts)
    {
        foreach (var t in window) counts[t]++;
        var rep = p.RepetitionPenalty;
        var freq = p.FrequencyPenalty;
        var presence = p.PresencePenalty;
        foreach (var t in window)
        {
            var c = counts[t];
            if (c == 0) continue; // already penalised (a repeat within the window)
            counts[t] = 0;
            ref var l = ref logits[t];
            // Same expression order as llama.cpp's llama_sampler_penalties_apply so values match bit for bit.
            if (rep != 1f) l = l <= 0f ? l * rep : l / rep;
            l -= c * freq + (c > 0 ? 1f : 0f) * presence;
        }
    }
}
