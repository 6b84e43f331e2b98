using System.Globalization;
using System.Text.Json.Nodes;

namespace Ponder.Grammars.Schema;

internal sealed partial class JsonSchemaConverter
{
    /// <summary>Significant digits a number may have near an exclusive bound: 15 survive a round trip through double.</summary>
    private const int SignificantDigits = 15;

    private readonly record struct Bounds(decimal? Min, bool MinExclusive, decimal? Max, bool MaxExclusive, string MinKeyword, string MaxKeyword);

    private string VisitInteger(JsonObject o, string ptr, string name)
    {
        CheckMultipleOf(o, ptr);
        var b = ReadBounds(o, ptr);
        long? lo = b.Min is null ? null : (long?)Clamp(b.MinExclusive ? decimal.Floor(b.Min.Value) + 1 : decimal.Ceiling(b.Min.Value));
        long? hi = b.Max is null ? null : (long?)Clamp(b.MaxExclusive ? decimal.Ceiling(b.Max.Value) - 1 : decimal.Floor(b.Max.Value));
        if (lo > hi)
            throw new JsonSchemaException(JsonPointer.Append(ptr, b.MinKeyword), b.MinKeyword,
                $"no integer lies between the lower bound {b.Min} and the upper bound {b.Max}");
        // Bounds beyond what the plain integer rule can spell do not restrict it.
        if (lo <= -IntegerRangeGbnf.Limit) lo = null;
        if (hi >= IntegerRangeGbnf.Limit) hi = null;
        if (lo > IntegerRangeGbnf.Limit || hi < -IntegerRangeGbnf.Limit)
            throw new JsonSchemaException(JsonPointer.Append(ptr, lo > IntegerRangeGbnf.Limit ? b.MinKeyword : b.MaxKeyword),
                lo > IntegerRangeGbnf.Limit ? b.MinKeyword : b.MaxKeyword, $"integers beyond {IntegerRangeGbnf.MaxDigits} digits are not supported");
        if (lo is null && hi is null) return _prim.Get("integer");
        return Rule(name, IntegerRangeGbnf.Range(lo, hi) + Sp);
    }

    /// <summary>
    /// Numbers with bounds: integer bounds are exact (including exclusive ones, which need a
    /// non-zero fraction at the bound); fractional bounds are rounded inward to integers, which
    /// keeps every output valid but leaves out values between the bound and the next integer.
    /// Exponents are not produced when bounded.
    /// </summary>
    private string VisitNumber(JsonObject o, string ptr, string name)
    {
        if (CheckMultipleOf(o, ptr)) return VisitInteger(o, ptr, name);
        var b = ReadBounds(o, ptr);
        if (b.Min is null && b.Max is null) return _prim.Get("number");

        long? lo = null, hi = null;
        bool loEx = false, hiEx = false;
        if (b.Min is decimal min)
        {
            bool whole = min == decimal.Truncate(min);
            lo = Clamp(whole ? min : decimal.Ceiling(min));
            loEx = whole && b.MinExclusive;
        }
        if (b.Max is decimal max)
        {
            bool whole = max == decimal.Truncate(max);
            hi = Clamp(whole ? max : decimal.Floor(max));
            hiEx = whole && b.MaxExclusive;
        }
        if (lo > hi || lo == hi && (loEx || hiEx))
        {
            bool trulyEmpty = b.Min > b.Max || b.Min == b.Max && (b.MinExclusive || b.MaxExclusive);
            throw new JsonSchemaException(JsonPointer.Append(ptr, b.MinKeyword), b.MinKeyword, trulyEmpty
                ? $"no number lies between the lower bound {b.Min} and the upper bound {b.Max}"
                : $"bounds {b.Min}..{b.Max} hold no integer; fractional bounds are rounded inward to integers, so this range cannot be expressed");
        }
        int digits = Math.Max(lo is null ? 1 : Abs(lo.Value).ToString(CultureInfo.InvariantCulture).Length,
                              hi is null ? 1 : Abs(hi.Value).ToString(CultureInfo.InvariantCulture).Length);
        if (digits >= SignificantDigits)
            throw new JsonSchemaException(JsonPointer.Append(ptr, lo is not null ? b.MinKeyword : b.MaxKeyword), lo is not null ? b.MinKeyword : b.MaxKeyword,
                $"number bounds of {SignificantDigits} or more digits are not supported");
        int fracDigits = SignificantDigits - digits;

        string expr;
        if (lo >= 0) expr = Join(NonNegativeNumber(lo.Value, loEx, hi, hiEx, fracDigits));
        else if (hi <= 0) expr = "\"-\" " + Group(NonNegativeNumber(-hi!.Value, hiEx, lo is null ? null : -lo.Value, loEx, fracDigits));
        else
        {
            var negative = "\"-\" " + Group(NonNegativeNumber(0, true, lo is null ? null : -lo.Value, loEx, fracDigits));
            expr = "( " + negative + " | " + Join(NonNegativeNumber(0, false, hi, hiEx, fracDigits)) + " )";
        }
        return Rule(name, expr + Sp);

        static string Join(List<string> alternatives) => alternatives.Count == 1 ? alternatives[0] : "( " + string.Join(" | ", alternatives) + " )";
        static string Group(List<string> alternatives) => "( " + string.Join(" | ", alternatives) + " )";
        static long Abs(long v) => v < 0 ? -v : v;
    }

    /// <summary>Alternatives for x with lo ≤ x (lo &lt; x if loEx) and x ≤ hi (x &lt; hi if hiEx), 0 ≤ lo.</summary>
    private static List<string> NonNegativeNumber(long lo, bool loEx, long? hi, bool hiEx, int k)
    {
        string frac = $"( \".\" [0-9]{{1,{k}}} )?";
        string fracNonZero = k == 1 ? "\".\" [1-9]" : $"\".\" [0-9]{{0,{k - 1}}} [1-9]";
        string fracZero = $"( \".\" \"0\"{{1,{k}}} )?";
        var alternatives = new List<string>();
        if (hi == lo)
        {
            if (!loEx && !hiEx) alternatives.Add($"\"{lo}\" {fracZero}");
            return alternatives;
        }
        alternatives.Add(loEx ? $"\"{lo}\" {fracNonZero}" : $"\"{lo}\" {frac}");
        long midLo = lo + 1;
        long? midHi = hi - 1;
        if (midHi is null || midLo <= midHi) alternatives.Add($"{IntegerRangeGbnf.Range(midLo, midHi)} {frac}");
        if (hi is not null && !hiEx) alternatives.Add($"\"{hi}\" {fracZero}");
        return alternatives;
    }

    private Bounds ReadBounds(JsonObject o, string ptr)
    {
        decimal? Num(string k)
        {
            if (o[k] is not JsonNode n) return null;
            if (n is JsonValue v && v.TryGetValue<decimal>(out var d)) return d;
            // Beyond decimal's range: far outside anything the grammar spells, so clamp.
            if (n is JsonValue dv && dv.TryGetValue<double>(out var dbl) && double.IsFinite(dbl))
                return dbl > 0 ? 1e20m : -1e20m;
            throw new JsonSchemaException(JsonPointer.Append(ptr, k), k, "must be a number");
        }
        decimal? min = Num("minimum"), exMin = Num("exclusiveMinimum"), max = Num("maximum"), exMax = Num("exclusiveMaximum");
        // When both forms are present the tighter one wins.
        bool useExMin = exMin is not null && (min is null || exMin >= min);
        bool useExMax = exMax is not null && (max is null || exMax <= max);
        return new Bounds(useExMin ? exMin : min, useExMin, useExMax ? exMax : max, useExMax,
            useExMin ? "exclusiveMinimum" : "minimum", useExMax ? "exclusiveMaximum" : "maximum");
    }

    /// <summary>True when multipleOf makes the value an integer (multipleOf 1); other values are refused.</summary>
    private static bool CheckMultipleOf(JsonObject o, string ptr)
    {
        if (o["multipleOf"] is not JsonNode n) return false;
        if (n is JsonValue v && v.TryGetValue<decimal>(out var d) && d == 1) return true;
        throw new JsonSchemaException(JsonPointer.Append(ptr, "multipleOf"), "multipleOf",
            "only multipleOf 1 is supported (other multiples cannot be expressed digit by digit)");
    }

    private static long Clamp(decimal v) =>
        v > IntegerRangeGbnf.Limit * 10m ? IntegerRangeGbnf.Limit * 10 : v < -IntegerRangeGbnf.Limit * 10m ? -IntegerRangeGbnf.Limit * 10 : (long)v;
}
