using Ponder.Grammars.Generation;

namespace Ponder.Grammars.Patterns;

/// <summary>
/// Makes a pattern's strings fit minLength/maxLength. A grammar cannot intersect a regex with a
/// length bound in general without blowing up, but most real patterns have a shape that can be
/// fitted exactly: fixed parts plus repetitions of fixed-length pieces ("^[a-z]+$",
/// "^v[0-9]+\.[0-9]+$", unanchored "abc"). Those repetitions get their counts narrowed; anything
/// else that could overrun the bounds is refused.
/// </summary>
public static class RegexLengths
{
    private static readonly RegexNode AnyStar = new RegexRepeat(new RegexChars(CharRangeSet.All), 0, null);

    /// <summary>Shortest and longest match of <paramref name="node"/> in characters (Max null: unbounded).</summary>
    public static (long Min, long? Max) Of(RegexNode node)
    {
        switch (node)
        {
            case RegexChars: return (1, 1);
            case RegexAnchor: return (0, 0);
            case RegexSequence s:
                long lo = 0;
                long? hi = 0;
                foreach (var p in s.Parts)
                {
                    var (a, b) = Of(p);
                    lo += a;
                    hi = hi is null || b is null ? null : hi + b;
                }
                return (lo, hi);
            case RegexAlternation a:
                var lengths = a.Branches.Select(Of).ToList();
                return (lengths.Min(x => x.Min), lengths.Any(x => x.Max is null) ? null : lengths.Max(x => x.Max));
            case RegexRepeat r:
                var (bl, bh) = Of(r.Body);
                return (bl * r.Min, r.Max is null ? (bh == 0 ? 0 : null) : bh * r.Max);
            default:
                throw new InvalidOperationException(node.GetType().Name);
        }
    }

    /// <summary>
    /// A tree whose every top-level branch is anchored at both ends (unanchored ends made explicit)
    /// and whose matches are all between <paramref name="minLength"/> and <paramref name="maxLength"/>.
    /// </summary>
    public static RegexNode Tighten(RegexNode tree, string pattern, int minLength, int? maxLength)
    {
        var branches = new List<RegexNode>();
        foreach (var b in RegexToGbnf.SplitAnchors(tree, pattern))
        {
            var parts = new List<RegexNode>();
            if (!b.StartAnchored) parts.Add(AnyStar);
            parts.AddRange(b.Body is RegexSequence seq ? seq.Parts : [b.Body]);
            if (!b.EndAnchored) parts.Add(AnyStar);
            var fitted = Fit(parts, pattern, minLength, maxLength);
            if (fitted is null) continue; // this branch cannot meet the bounds; others may
            branches.Add(new RegexSequence([new RegexAnchor(true, 0), .. fitted, new RegexAnchor(false, pattern.Length)]));
        }
        if (branches.Count == 0)
            throw new RegexPatternException(pattern, 0,
                $"no string matching the pattern can have a length within minLength {minLength} and maxLength {maxLength?.ToString() ?? "none"}");
        return branches.Count == 1 ? branches[0] : new RegexAlternation(branches);
    }

    /// <summary>Narrows repetition counts so every match of the parts has a fitting length; null if impossible.</summary>
    private static List<RegexNode>? Fit(List<RegexNode> parts, string pattern, int minLength, int? maxLength)
    {
        var lengths = parts.Select(Of).ToList();
        long lo = lengths.Sum(x => x.Min);
        bool fitsMax = maxLength is null || lengths.All(x => x.Max is not null) && lengths.Sum(x => x.Max!.Value) <= maxLength;
        if (lo >= minLength && fitsMax) return parts;

        // Adjustable: repetitions of a fixed-length, non-empty piece.
        var adjustable = new List<int>();
        for (int i = 0; i < parts.Count; i++)
            if (parts[i] is RegexRepeat r && Of(r.Body) is var (bl, bh) && bh == bl && bl > 0 && r.Min != r.Max)
                adjustable.Add(i);

        var result = new List<RegexNode>(parts);
        // Raise minimum counts until the shortest match is long enough.
        long deficit = minLength - lo;
        foreach (int i in adjustable)
        {
            if (deficit <= 0) break;
            var r = (RegexRepeat)result[i];
            long k = Of(r.Body).Min;
            long extra = (deficit + k - 1) / k;
            long newMin = r.Min + extra;
            if (r.Max is not null) newMin = Math.Min(newMin, r.Max.Value);
            deficit -= (newMin - r.Min) * k;
            result[i] = r with { Min = (int)Math.Min(newMin, GbnfRepeat.MaxBound) };
        }
        if (deficit > 0)
            throw new RegexPatternException(pattern, 0, $"the pattern's shape cannot be lengthened to meet minLength {minLength}");
        if (maxLength is null) return result;

        return Cap(new RegexSequence(result), maxLength.Value) is RegexSequence capped ? [.. capped.Parts] : null;
    }

    /// <summary>
    /// <paramref name="node"/> narrowed so that no match is longer than <paramref name="budget"/>,
    /// keeping its shortest matches; null when even the shortest is too long. Variable parts of a
    /// sequence share what the fixed parts leave, in order.
    /// </summary>
    private static RegexNode? Cap(RegexNode node, long budget)
    {
        var (min, max) = Of(node);
        if (min > budget) return null;
        if (max <= budget) return node;
        switch (node)
        {
            case RegexSequence s:
            {
                var mins = s.Parts.Select(p => Of(p).Min).ToList();
                long leftover = budget - mins.Sum();
                int variable = s.Parts.Count(p => Of(p) is var (a, b) && b != a);
                var parts = new List<RegexNode>(s.Parts.Count);
                for (int i = 0; i < s.Parts.Count; i++)
                {
                    var p = s.Parts[i];
                    var (a, b) = Of(p);
                    if (b == a) { parts.Add(p); continue; }
                    long allowance = a + leftover / variable--;
                    var capped = Cap(p, allowance);
                    if (capped is null) return null;
                    leftover -= Of(capped).Max!.Value - a;
                    parts.Add(capped);
                }
                return new RegexSequence(parts);
            }
            case RegexAlternation alt:
            {
                var branches = alt.Branches.Select(b => Cap(b, budget)).Where(b => b is not null).Select(b => b!).ToList();
                return branches.Count == 0 ? null : branches.Count == 1 ? branches[0] : new RegexAlternation(branches);
            }
            case RegexRepeat r:
            {
                var (bMin, bMax) = Of(r.Body);
                var body = r.Body;
                if (bMax != bMin)
                {
                    // A variable body: give one repetition a fair share of the budget, then count.
                    long perItem = Math.Max(bMin, budget / Math.Max(1, r.Min));
                    body = Cap(r.Body, perItem);
                    if (body is null) return null;
                    bMax = Of(body).Max;
                }
                if (bMax == 0) return r with { Body = body, Max = r.Max ?? r.Min };
                long count = Math.Min(r.Max ?? long.MaxValue, budget / bMax!.Value);
                if (count < r.Min) return null;
                return new RegexRepeat(body, r.Min, (int)Math.Min(count, int.MaxValue));
            }
            default:
                return null;
        }
    }
}
