namespace Ponder.Engine;

/// <summary>Sizes and limits of an <see cref="InferenceEngine"/>.</summary>
public sealed record EngineOptions
{
    /// <summary>Token slots per KV block (16, as vLLM's default).</summary>
    public int BlockTokens { get; init; } = 16;
    /// <summary>Memory for the KV cache; ignored when <see cref="KvTokens"/> is set.</summary>
    public long KvMemoryBytes { get; init; } = 512L << 20;
    /// <summary>KV capacity in tokens (rounded up to whole blocks); 0 = use <see cref="KvMemoryBytes"/>.</summary>
    public int KvTokens { get; init; }
    /// <summary>Tokens one forward pass may carry (decode tokens first, then prefill chunks).</summary>
    public int MaxBatchTokens { get; init; } = 512;
    /// <summary>Sequences that may hold KV and run at once.</summary>
    public int MaxRunningSequences { get; init; } = 64;
    /// <summary>Reuse KV blocks of earlier requests with the same prefix.</summary>
    public bool PrefixCaching { get; init; } = true;
    /// <summary>Largest n of one request.</summary>
    public int MaxN { get; init; } = 128;

    public void Validate()
    {
        if (BlockTokens is < 1 or > 1024) throw new ArgumentException($"block size {BlockTokens} must be 1..1024 tokens");
        if (KvTokens < 0 || (KvTokens == 0 && KvMemoryBytes <= 0)) throw new ArgumentException("KV cache size must be positive");
        if (MaxBatchTokens < 1) throw new ArgumentException($"MaxBatchTokens {MaxBatchTokens} must be positive");
        if (MaxRunningSequences < 1) throw new ArgumentException($"MaxRunningSequences {MaxRunningSequences} must be positive");
    }

    /// <summary>Parses sizes like "2GiB", "512MiB", "1G", "300M", "65536".</summary>
    public static long ParseBytes(string text)
    {
        var s = text.Trim();
        long mult = 1;
        foreach (var (suffix, m) in new (string, long)[] { ("GiB", 1L << 30), ("MiB", 1L << 20), ("KiB", 1L << 10), ("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1000), ("G", 1L << 30), ("M", 1L << 20), ("K", 1L << 10), ("B", 1) })
        {
            if (s.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) { mult = m; s = s[..^suffix.Length]; break; }
        }
        if (!double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v) || v <= 0)
            throw new ArgumentException($"'{text}' is not a size (examples: 2GiB, 512MiB, 1000000)");
        return checked((long)(v * mult));
    }
}
