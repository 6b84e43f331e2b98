namespace Ponder.Grammars.Generation;

/// <summary>
/// An immutable set of Unicode scalar values kept as sorted, disjoint, non-adjacent inclusive
/// ranges. Regex classes are built as sets (not as GBNF text) so that negation and the JSON
/// escaping split (plain characters vs. characters that must be written as escapes) are exact.
/// </summary>
public sealed class CharRangeSet
{
    public const int MaxCodePoint = 0x10FFFF;

    private readonly (int Lo, int Hi)[] _ranges;

    public static readonly CharRangeSet Empty = new([]);

    /// <summary>Every scalar value: surrogates are left out because they are not characters.</summary>
    public static readonly CharRangeSet All = new([(0, 0xD7FF), (0xE000, MaxCodePoint)]);

    public static readonly CharRangeSet Digits = Range('0', '9');
    public static readonly CharRangeSet Word = FromRanges(('0', '9'), ('A', 'Z'), ('_', '_'), ('a', 'z'));
    public static readonly CharRangeSet Space = FromRanges(('\t', '\r'), (' ', ' '));

    private CharRangeSet((int Lo, int Hi)[] normalized) => _ranges = normalized;

    public IReadOnlyList<(int Lo, int Hi)> Ranges => _ranges;
    public bool IsEmpty => _ranges.Length == 0;

    public static CharRangeSet Single(int c) => new([(c, c)]);
    public static CharRangeSet Range(int lo, int hi) => FromRanges((lo, hi));

    public static CharRangeSet FromRanges(params (int Lo, int Hi)[] ranges)
    {
        var list = new List<(int Lo, int Hi)>(ranges.Length);
        foreach (var r in ranges)
        {
            if (r.Lo > r.Hi) throw new ArgumentException($"Range {r.Lo:X}-{r.Hi:X} is out of order.");
            list.Add(r);
        }
        return Normalize(list);
    }

    public bool Contains(int c)
    {
        int lo = 0, hi = _ranges.Length - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >> 1;
            if (c < _ranges[mid].Lo) hi = mid - 1;
            else if (c > _ranges[mid].Hi) lo = mid + 1;
            else return true;
        }
        return false;
    }

    public CharRangeSet Union(CharRangeSet other)
    {
        var list = new List<(int, int)>(_ranges.Length + other._ranges.Length);
        list.AddRange(_ranges);
        list.AddRange(other._ranges);
        return Normalize(list);
    }

    public CharRangeSet Complement()
    {
        var list = new List<(int, int)>();
        int next = 0;
        foreach (var (lo, hi) in _ranges)
        {
            if (lo > next) list.Add((next, lo - 1));
            next = hi + 1;
        }
        if (next <= MaxCodePoint) list.Add((next, MaxCodePoint));
        // Complement is taken within scalar values, so surrogates never appear.
        return Normalize(list).Intersect(All);
    }

    public CharRangeSet Intersect(CharRangeSet other)
    {
        var list = new List<(int, int)>();
        int i = 0, j = 0;
        while (i < _ranges.Length && j < other._ranges.Length)
        {
            var a = _ranges[i];
            var b = other._ranges[j];
            int lo = Math.Max(a.Lo, b.Lo), hi = Math.Min(a.Hi, b.Hi);
            if (lo <= hi) list.Add((lo, hi));
            if (a.Hi < b.Hi) i++; else j++;
        }
        return new CharRangeSet([.. list]);
    }

    public CharRangeSet Except(CharRangeSet other) => Intersect(other.Complement());

    private static CharRangeSet Normalize(List<(int Lo, int Hi)> list)
    {
        list.Sort((x, y) => x.Lo.CompareTo(y.Lo));
        var merged = new List<(int Lo, int Hi)>(list.Count);
        foreach (var r in list)
        {
            if (merged.Count > 0 && r.Lo <= merged[^1].Hi + 1)
                merged[^1] = (merged[^1].Lo, Math.Max(merged[^1].Hi, r.Hi));
            else
                merged.Add(r);
        }
        return new CharRangeSet([.. merged]);
    }
}
