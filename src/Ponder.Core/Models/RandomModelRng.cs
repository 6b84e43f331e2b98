namespace Ponder.Models;

/// <summary>
/// The random numbers behind make-random-model: SplitMix64 (Steele, Lea, Flood 2014) and
/// Box-Muller normals. Written here rather than System.Random because System.Random's algorithm
/// is an implementation detail that may change between .NET versions, and a seed must give the
/// same model on every version. Each tensor row gets its own stream, derived from (seed, tensor
/// name, row), so rows can be generated in parallel and in any order with the same result.
/// </summary>
public struct RandomModelRng
{
    private ulong _state;
    private double _spare;
    private bool _hasSpare;

    public RandomModelRng(ulong seed) { _state = seed; _spare = 0; _hasSpare = false; }

    /// <summary>The stream for one row of one tensor.</summary>
    public static RandomModelRng ForRow(ulong seed, string tensor, long row) =>
        new(Mix(Mix(seed ^ Fnv1a(tensor)) + (ulong)row * 0x9E3779B97F4A7C15UL));

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        return Mix(z);
    }

    /// <summary>Uniform in (0, 1]: never 0, so the logarithm below is finite.</summary>
    public double NextUnitOpenClosed() => ((NextUInt64() >> 11) + 1) * (1.0 / (1UL << 53));

    /// <summary>Standard normal by Box-Muller; both values of each pair are used. Math.Log/Sin/Cos are
    /// the platform's correctly-rounded-in-practice libm calls, and the result is rounded to float
    /// by the caller, so last-ulp libm differences practically never show.</summary>
    public double NextNormal()
    {
        if (_hasSpare) { _hasSpare = false; return _spare; }
        double r = Math.Sqrt(-2.0 * Math.Log(NextUnitOpenClosed()));
        double theta = 2.0 * Math.PI * NextUnitOpenClosed();
        var (sin, cos) = Math.SinCos(theta);
        _spare = r * sin;
        _hasSpare = true;
        return r * cos;
    }

    /// <summary>Fills dst with mean + std · N(0, 1).</summary>
    public void FillNormal(Span<float> dst, double mean, double std)
    {
        for (int i = 0; i < dst.Length; i++) dst[i] = (float)(mean + std * NextNormal());
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>FNV-1a of the UTF-16 code units: string.GetHashCode is randomized per process.</summary>
    private static ulong Fnv1a(string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in s) h = (h ^ c) * 1099511628211UL;
        return h;
    }
}
