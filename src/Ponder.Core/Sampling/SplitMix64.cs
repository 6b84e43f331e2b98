namespace Ponder.Sampling;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): turns any 64-bit value into a well-mixed one. Used to
/// expand a seed into xoshiro state (its authors' recommendation) and to derive independent
/// per-sample seeds from one request seed.
/// </summary>
public static class SplitMix64
{
    public const ulong Gamma = 0x9E3779B97F4A7C15UL;

    /// <summary>Advances <paramref name="state"/> and returns the next output.</summary>
    public static ulong Next(ref ulong state)
    {
        state += Gamma;
        return Mix(state);
    }

    /// <summary>The SplitMix64 finaliser: a bijection on 64-bit values with full avalanche.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// Seed for sample <paramref name="index"/> of a request seeded with <paramref name="requestSeed"/>
    /// (n parallel samples, forks in a search). Distinct indices give distinct seeds (Mix is a
    /// bijection), and index 0 does not reuse the request seed itself, so sample 0 of n is not the
    /// same stream as an n = 1 request with the same seed unless the caller wants that.
    /// </summary>
    public static ulong DeriveSeed(ulong requestSeed, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        return Mix(Mix(requestSeed) + (ulong)(index + 1) * Gamma);
    }
}
