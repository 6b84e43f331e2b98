using System.Globalization;
using System.Text;

namespace Ponder.Grammars.Generation;

/// <summary>
/// Writes GBNF terminals. Everything outside printable ASCII is written as a \x, \u or \U escape
/// so that generated grammars are plain ASCII and survive any transport unchanged.
/// </summary>
public static class GbnfText
{
    /// <summary>A quoted GBNF literal matching exactly <paramref name="text"/>.</summary>
    public static string Literal(string text)
    {
        var sb = new StringBuilder(text.Length + 2);
        sb.Append('"');
        foreach (var rune in text.EnumerateRunes())
        {
            int c = rune.Value;
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                default: AppendCodePoint(sb, c); break;
            }
        }
        sb.Append('"');
        return sb.ToString();
    }

    /// <summary>A GBNF character class for <paramref name="set"/>; empty sets are the caller's problem.</summary>
    public static string CharClass(CharRangeSet set, bool negate = false)
    {
        if (set.IsEmpty) throw new ArgumentException("An empty character set has no GBNF class.", nameof(set));
        var sb = new StringBuilder();
        sb.Append('[');
        if (negate) sb.Append('^');
        foreach (var (lo, hi) in set.Ranges)
        {
            AppendClassChar(sb, lo);
            if (hi == lo) continue;
            if (hi > lo + 1) sb.Append('-');
            AppendClassChar(sb, hi);
        }
        sb.Append(']');
        return sb.ToString();
    }

    /// <summary>
    /// The shortest of a literal or a class for a set: a one-character set is written as a literal.
    /// </summary>
    public static string SetExpression(CharRangeSet set)
    {
        var r = set.Ranges;
        return r.Count == 1 && r[0].Lo == r[0].Hi ? Literal(char.ConvertFromUtf32(r[0].Lo)) : CharClass(set);
    }

    private static void AppendClassChar(StringBuilder sb, int c)
    {
        // Characters with a meaning inside [...] are escaped; '-' and '^' by code so that no
        // parser can read them as range or negation.
        switch (c)
        {
            case '\\': sb.Append("\\\\"); break;
            case ']': sb.Append("\\]"); break;
            case '[': sb.Append("\\["); break;
            case '-': sb.Append("\\x2D"); break;
            case '^': sb.Append("\\x5E"); break;
            case '"': sb.Append("\\\""); break;
            default: AppendCodePoint(sb, c); break;
        }
    }

    private static void AppendCodePoint(StringBuilder sb, int c)
    {
        if (c >= 0x20 && c < 0x7F) sb.Append((char)c);
        else if (c == '\n') sb.Append("\\n");
        else if (c == '\r') sb.Append("\\r");
        else if (c == '\t') sb.Append("\\t");
        else if (c <= 0xFF) sb.Append("\\x").Append(c.ToString("X2", CultureInfo.InvariantCulture));
        else if (c <= 0xFFFF) sb.Append("\\u").Append(c.ToString("X4", CultureInfo.InvariantCulture));
        else sb.Append("\\U").Append(c.ToString("X8", CultureInfo.InvariantCulture));
    }
}
