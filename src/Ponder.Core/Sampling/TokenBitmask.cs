namespace Ponder.Sampling;

/// <summary>
/// Helpers for the allowed-token mask the sampler takes: bit <c>i % 32</c> of word <c>i / 32</c>
/// set means token i may be sampled. 32-bit words because that is the layout XGrammar and vLLM use
/// for grammar masks, so a mask cache can be filled the same way.
/// </summary>
public static class TokenBitmask
{
    /// <summary>Words needed for a vocabulary of <paramref name="vocabSize"/> tokens.</summary>
    public static int WordCount(int vocabSize) => (vocabSize + 31) >> 5;

    public static bool IsAllowed(ReadOnlySpan<uint> mask, int token) => (mask[token >> 5] & (1u << (token & 31))) != 0;

    public static void Allow(Span<uint> mask, int token) => mask[token >> 5] |= 1u << (token & 31);

    public static void Disallow(Span<uint> mask, int token) => mask[token >> 5] &= ~(1u << (token & 31));

    /// <summary>Allows every token in a vocabulary of <paramref name="vocabSize"/> (bits past the end stay clear).</summary>
    public static void AllowAll(Span<uint> mask, int vocabSize)
    {
        var full = vocabSize >> 5;
        mask[..full].Fill(uint.MaxValue);
        var rest = vocabSize & 31;
        if (rest != 0) mask[full] = (1u << rest) - 1;
        if (full + (rest != 0 ? 1 : 0) < mask.Length) mask[(full + (rest != 0 ? 1 : 0))..].Clear();
    }

    /// <summary>Sets <paramref name="logits"/>[i] to -infinity for every token the mask disallows.</summary>
    public static void Apply(ReadOnlySpan<uint> mask, Span<float> logits)
    {
        var words = WordCount(logits.Length);
        if (mask.Length < words)
            throw new ArgumentException(
                $"Token mask has {mask.Length} words but a vocabulary of {logits.Length} needs {words} (one bit per token).",
                nameof(mask));
        for (var w = 0; w < words; w++)
        {
            var bits = mask[w];
            if (bits == uint.MaxValue) continue; // the common case under most grammar states
            var baseId = w << 5;
            var blocked = ~bits;
            while (blocked != 0)
            {
                var b = System.Numerics.BitOperations.TrailingZeroCount(blocked);
                var id = baseId + b;
                if (id >= logits.Length) break;
                logits[id] = float.NegativeInfinity;
                blocked &= blocked - 1;
            }
        }
    }
}
