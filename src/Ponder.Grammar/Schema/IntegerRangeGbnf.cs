using System.Globalization;

namespace Ponder.Grammars.Schema;

/// <summary>
/// GBNF for the decimal spellings of the integers in [min, max] (JSON form: no leading zeros, no
/// "-0"), digit by digit, like llama.cpp's _generate_min_max_int. An open end is capped at
/// <see cref="MaxDigits"/> digits, the same cap the plain integer rule has.
/// </summary>
internal static class IntegerRangeGbnf
{
    public const int MaxDigits = 16;
    public static readonly long Limit = (long)Math.Pow(10, MaxDigits) - 1;

    /// <summary>The expression (no trailing whitespace); callers check min ≤ max.</summary>
    public static string Range(long? min, long? max)
    {
        var alternatives = new List<string>();
        // Negative part: -y for y in [max(1, -max), -min].
        if (min is null || min < 0)
        {
            long yLo = max is null || max >= 0 ? 1 : -max.Value;
            long yHi = min is null ? Limit : Math.Min(Limit, -min.Value);
            if (yLo <= yHi) alternatives.Add("\"-\" " + Group(NonNegative(yLo, yHi)));
        }
        if (max is null || max >= 0)
        {
            long lo = Math.Max(0, min ?? 0);
            long hi = max is null ? Limit : Math.Min(Limit, max.Value);
            if (lo <= hi) alternatives.AddRange(NonNegative(lo, hi));
        }
        return alternatives.Count == 1 ? alternatives[0] : "( " + string.Join(" | ", alternatives) + " )";
    }

    private static string Group(List<string> alternatives) =>
        alternatives.Count == 1 ? alternatives[0] : "( " + string.Join(" | ", alternatives) + " )";

    /// <summary>Alternatives for [lo, hi] with 0 ≤ lo ≤ hi: one group per digit count.</summary>
    private static List<string> NonNegative(long lo, long hi)
    {
        var result = new List<string>();
        int loDigits = Digits(lo), hiDigits = Digits(hi);
        int fullFrom = -1; // a run of digit counts whose whole range is included: [1-9] [0-9]{a,b}
        for (int n = loDigits; n <= hiDigits; n++)
        {
            long first = n == 1 ? 0 : Pow10(n - 1);
            long last = Pow10(n) - 1;
            long a = Math.Max(lo, first), b = Math.Min(hi, last);
            if (n > 1 && a == first && b == last)
            {
                if (fullFrom < 0) fullFrom = n;
                continue;
            }
            FlushFull(n - 1);
            result.Add(SameLength(Str(a), Str(b)));
        }
        FlushFull(hiDigits);
        return result;

        void FlushFull(int upTo)
        {
            if (fullFrom < 0) return;
            int from = fullFrom - 1, to = upTo - 1;
            result.Add(from == to ? $"[1-9] {Digits09(from)}".TrimEnd() : $"[1-9] [0-9]{{{from},{to}}}");
            fullFrom = -1;
        }
    }

    /// <summary>Strings of a's length between a and b inclusive (a ≤ b, same length).</summary>
    private static string SameLength(string a, string b)
    {
        if (a == b) return $"\"{a}\"";
        int p = 0;
        while (a[p] == b[p]) p++;
        string prefix = p > 0 ? $"\"{a[..p]}\" " : "";
        int rest = a.Length - p - 1;
        char da = a[p], db = b[p];
        string aTail = a[(p + 1)..], bTail = b[(p + 1)..];
        var alternatives = new List<string>();
        bool aLow = aTail.All(c => c == '0'), bHigh = bTail.All(c => c == '9');
        // The middle digits take any tail; the end digits take tails bounded on one side.
        char midLo = aLow ? da : (char)(da + 1);
        char midHi = bHigh ? db : (char)(db - 1);
        if (!aLow) alternatives.Add(Join($"\"{da}\"", AtLeast(aTail)));
        if (midLo <= midHi) alternatives.Add(Join(DigitClass(midLo, midHi), Digits09(rest)));
        if (!bHigh) alternatives.Add(Join($"\"{db}\"", AtMost(bTail)));
        var body = alternatives.Count == 1 ? alternatives[0] : "( " + string.Join(" | ", alternatives) + " )";
        return prefix + body;
    }

    /// <summary>Digit strings of s's length that are ≥ s.</summary>
    private static string AtLeast(string s)
    {
        if (s.Length == 0 || s.All(c => c == '0')) return Digits09(s.Length);
        char d = s[0];
        var alternatives = new List<string> { Join($"\"{d}\"", AtLeast(s[1..])) };
        if (d < '9') alternatives.Add(Join(DigitClass((char)(d + 1), '9'), Digits09(s.Length - 1)));
        return alternatives.Count == 1 ? alternatives[0] : "( " + string.Join(" | ", alternatives) + " )";
    }

    /// <summary>Digit strings of s's length that are ≤ s.</summary>
    private static string AtMost(string s)
    {
        if (s.Length == 0 || s.All(c => c == '9')) return Digits09(s.Length);
        char d = s[0];
        var alternatives = new List<string>();
        if (d > '0') alternatives.Add(Join(DigitClass('0', (char)(d - 1)), Digits09(s.Length - 1)));
        alternatives.Add(Join($"\"{d}\"", AtMost(s[1..])));
        return alternatives.Count == 1 ? alternatives[0] : "( " + string.Join(" | ", alternatives) + " )";
    }

    private static string Join(string a, string b) => b.Length == 0 ? a : a + " " + b;

    private static string DigitClass(char lo, char hi) => lo == hi ? $"\"{lo}\"" : $"[{lo}-{hi}]";

    private static string Digits09(int n) => n switch { 0 => "", 1 => "[0-9]", _ => $"[0-9]{{{n}}}" };

    private static int Digits(long v) => Str(v).Length;

    private static long Pow10(int n)
    {
        long r = 1;
        for (int i = 0; i < n; i++) r *= 10;
        return r;
    }

    private static string Str(long v) => v.ToString(CultureInfo.InvariantCulture);
}
