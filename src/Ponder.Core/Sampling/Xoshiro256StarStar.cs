using System.Numerics;
using System.Security.Cryptography;

namespace Ponder.Sampling;

/// <summary>
/// xoshiro256** (Blackman and Vigna 2018): a small, fast PRNG whose whole state is four ulongs, so a
/// sequence's random stream is copied by value on fork and restored by value on rollback.
/// </summary>
/// <remarks>
/// Written here rather than taken from <see cref="Random"/>: a seeded <see cref="Random"/> uses the
/// legacy .NET Framework algorithm, its state cannot be copied or restored, and its stream is not
/// specified. This one is integer-only, so the same seed gives the same stream on every platform.
/// </remarks>
public struct Xoshiro256StarStar : IEquatable<Xoshiro256StarStar>
{
    ulong _s0, _s1, _s2, _s3;

    /// <summary>State expanded from <paramref name="seed"/> with SplitMix64, as the authors recommend
    /// (never all zero, since SplitMix64's outputs for four consecutive states cannot all be zero).</summary>
    public Xoshiro256StarStar(ulong seed)
    {
        var sm = seed;
        _s0 = SplitMix64.Next(ref sm);
        _s1 = SplitMix64.Next(ref sm);
        _s2 = SplitMix64.Next(ref sm);
        _s3 = SplitMix64.Next(ref sm);
    }

    /// <summary>Exact state, for known-answer tests against the reference C implementation.</summary>
    internal static Xoshiro256StarStar FromState(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        if ((s0 | s1 | s2 | s3) == 0) throw new ArgumentException("xoshiro state must not be all zero.");
        return new Xoshiro256StarStar { _s0 = s0, _s1 = s1, _s2 = s2, _s3 = s3 };
    }

    /// <summary>A seed from the operating system's cryptographic source, for requests without one.</summary>
    public static ulong RandomSeed()
    {
        Span<byte> b = stackalloc byte[8];
        RandomNumberGenerator.Fill(b);
        return BitConverter.ToUInt64(b);
    }

    public ulong NextUInt64()
    {
        var result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits (exactly representable, platform independent).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public readonly bool Equals(Xoshiro256StarStar other) =>
        _s0 == other._s0 && _s1 == other._s1 && _s2 == other._s2 && _s3 == other._s3;

    public override readonly bool Equals(object? obj) => obj is Xoshiro256StarStar o && Equals(o);
    public override readonly int GetHashCode() => HashCode.Combine(_s0, _s1, _s2, _s3);
    public static bool operator ==(Xoshiro256StarStar a, Xoshiro256StarStar b) => a.Equals(b);
    public static bool operator !=(Xoshiro256StarStar a, Xoshiro256StarStar b) => !a.Equals(b);
}
