namespace Ponder.Grammars;

/// <summary>A set of Unicode scalar values as sorted, disjoint, non-adjacent inclusive ranges. Surrogates
/// (U+D800–U+DFFF) are never members: they have no UTF-8 encoding, so no token can spell them.</summary>
readonly struct CodePointSet
{
    public const int MaxCodePoint = 0x10FFFF;

    public CodePointSet(List<(int Lo, int Hi)> ranges) => Ranges = ranges;

    public List<(int Lo, int Hi)> Ranges { get; }

    public int Count => Ranges.Count;

    public static CodePointSet FromClass(GrammarCharClass cc)
    {
        var set = Normalize(cc.Ranges);
        if (cc.Negated) set = Complement(set);
        return new CodePointSet(RemoveSurrogates(set));
    }

    public static CodePointSet Single(int cp) => new(RemoveSurrogates([(cp, cp)]));

    static List<(int Lo, int Hi)> Normalize(IReadOnlyList<(int Lo, int Hi)> ranges)
    {
        var sorted = new List<(int Lo, int Hi)>(ranges);
        sorted.Sort((a, b) => a.Lo.CompareTo(b.Lo));
        var merged = new List<(int Lo, int Hi)>(sorted.Count);
        foreach (var r in sorted)
        {
            if (merged.Count > 0 && r.Lo <= merged[^1].Hi + 1)
                merged[^1] = (merged[^1].Lo, Math.Max(merged[^1].Hi, r.Hi));
            else merged.Add(r);
        }
        return merged;
    }

    static List<(int Lo, int Hi)> Complement(List<(int Lo, int Hi)> set)
    {
        var result = new List<(int Lo, int Hi)>(set.Count + 1);
        var next = 0;
        foreach (var (lo, hi) in set)
        {
            if (lo > next) result.Add((next, lo - 1));
            next = hi + 1;
        }
        if (next <= MaxCodePoint) result.Add((next, MaxCodePoint));
        return result;
    }

    static List<(int Lo, int Hi)> RemoveSurrogates(List<(int Lo, int Hi)> set)
    {
        var result = new List<(int Lo, int Hi)>(set.Count + 1);
        foreach (var (lo, hi) in set)
        {
            if (hi < 0xD800 || lo > 0xDFFF) { result.Add((lo, hi)); continue; }
            if (lo < 0xD800) result.Add((lo, 0xD7FF));
            if (hi > 0xDFFF) result.Add((0xE000, hi));
        }
        return result;
    }
}
