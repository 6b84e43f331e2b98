namespace Ponder.Sampling;

/// <summary>
/// The tokens a sequence's sampler has accepted, append-only except for truncation on rollback.
/// Kept whole (not as a last-n ring) so that rolling back past the penalty window restores the
/// exact window; at 4 bytes a token a 32k context costs 128 KB, and a fork copies only what is used.
/// </summary>
internal sealed class TokenHistory
{
    int[] _tokens;
    int _count;

    public TokenHistory(int capacity = 64) => _tokens = new int[Math.Max(capacity, 16)];

    TokenHistory(int[] tokens, int count)
    {
        _tokens = tokens;
        _count = count;
    }

    public int Count => _count;

    public ReadOnlySpan<int> All => _tokens.AsSpan(0, _count);

    /// <summary>The last <paramref name="lastN"/> tokens (all of them when -1 or more than held).</summary>
    public ReadOnlySpan<int> Window(int lastN) =>
        lastN < 0 || lastN >= _count ? All : _tokens.AsSpan(_count - lastN, lastN);

    /// <summary>Amortised O(1); grows by doubling so appends do not allocate per token.</summary>
    public void Add(int token)
    {
        if (_count == _tokens.Length) Array.Resize(ref _tokens, _tokens.Length * 2);
        _tokens[_count++] = token;
    }

    public void Truncate(int count)
    {
        if ((uint)count > (uint)_count)
            throw new ArgumentOutOfRangeException(nameof(count), count, $"History holds {_count} tokens; cannot truncate to {count}.");
        _count = count;
    }

    public TokenHistory Clone()
    {
        var copy = new int[Math.Max(16, _tokens.Length)];
        Array.Copy(_tokens, copy, _count);
        return new TokenHistory(copy, _count);
    }
}
