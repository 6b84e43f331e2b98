namespace Ponder.Grammars.Generation;

/// <summary>Writes bounded repetitions, including bounds above what one GBNF repetition may say.</summary>
public static class GbnfRepeat
{
    /// <summary>The largest bound the GBNF reader accepts in {m,n}.</summary>
    public const int MaxBound = 10_000;

    private const int Chunk = 1_000;

    /// <summary>
    /// <paramref name="term"/> (one GBNF term: a name, literal, class or group) repeated
    /// <paramref name="min"/> to <paramref name="max"/> times (null: unbounded); "" for zero times.
    /// Bounds over <see cref="MaxBound"/> are split into chunks: any length L ≤ max is a·Chunk + b
    /// with a ≤ q−1 and b ≤ Chunk + r, where max − min = q·Chunk + r.
    /// </summary>
    public static string Repeat(string term, int min, int? max)
    {
        if (min < 0 || max < min) throw new ArgumentOutOfRangeException(nameof(max), $"bad repetition {{{min},{max}}}");
        if (max == 0) return "";
        if (min > MaxBound) throw new ArgumentOutOfRangeException(nameof(min), $"a repetition of at least {min} is beyond {MaxBound}");
        if (max is null)
            return min switch { 0 => term + "*", 1 => term + "+", _ => term + "{" + min + ",}" };
        if (max <= MaxBound)
        {
            if (min == 0 && max == 1) return term + "?";
            if (min == 1 && max == 1) return term;
            return min == max ? term + "{" + min + "}" : term + "{" + min + "," + max + "}";
        }
        int extra = max.Value - min;
        if (extra <= MaxBound) return ((min > 0 ? Repeat(term, min, min) + " " : "") + Repeat(term, 0, extra)).Trim();
        int q = extra / Chunk, r = extra % Chunk;
        if (q - 1 > MaxBound) throw new ArgumentOutOfRangeException(nameof(max), $"a repetition of up to {max} is too long");
        var parts = new List<string>();
        if (min > 0) parts.Add(Repeat(term, min, min));
        parts.Add("( " + term + "{" + Chunk + "} ){0," + (q - 1) + "}");
        parts.Add(term + "{0," + (Chunk + r) + "}");
        return string.Join(" ", parts);
    }
}
