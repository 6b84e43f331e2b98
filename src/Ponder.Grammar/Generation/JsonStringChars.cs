using System.Globalization;
using System.Text;

namespace Ponder.Grammars.Generation;

/// <summary>
/// How characters look inside a JSON string literal, as GBNF. Every alternative here decodes to
/// exactly one Unicode scalar value, so counting grammar characters counts decoded characters.
/// </summary>
public static class JsonStringChars
{
    /// <summary>
    /// A \u escape whose value is not a surrogate (a lone surrogate decodes to no character). The
    /// last two digits are shared by both branches: bounded strings copy this body once per
    /// character, so every state saved here is saved hundreds of times.
    /// </summary>
    public const string NonSurrogateHex4 = "( [0-9a-cA-CefEF] [0-9a-fA-F] | [dD] [0-7] ) [0-9a-fA-F]{2}";

    /// <summary>Any one JSON string character: unescaped, or a short or \u escape.</summary>
    public const string AnyCharBody = "[^\"\\\\\\x00-\\x1F] | \"\\\\\" ( [\"\\\\/bfnrt] | \"u\" " + NonSurrogateHex4 + " )";

    /// <summary>
    /// One character from the Basic Multilingual Plane. Used where lengths are bounded: a
    /// validator written in .NET or JavaScript counts UTF-16 units (NJsonSchema does), the spec
    /// counts code points; for BMP characters the two agree.
    /// </summary>
    public const string BmpCharBody = "[^\"\\\\\\x00-\\x1F\\U00010000-\\U0010FFFF] | \"\\\\\" ( [\"\\\\/bfnrt] | \"u\" " + NonSurrogateHex4 + " )";

    private static readonly CharRangeSet Controls = CharRangeSet.Range(0, 0x1F);
    private static readonly CharRangeSet QuoteAndBackslash = CharRangeSet.FromRanges(('"', '"'), ('\\', '\\'));

    /// <summary>
    /// One JSON-encoded character drawn from <paramref name="set"/>: plain where JSON allows it,
    /// escaped where it must be (quote, backslash, control characters).
    /// </summary>
    public static string Expression(CharRangeSet set)
    {
        if (set.IsEmpty) throw new ArgumentException("empty set", nameof(set));
        var alternatives = new List<string>();
        var plain = set.Except(Controls).Except(QuoteAndBackslash);
        if (!plain.IsEmpty) alternatives.Add(GbnfText.SetExpression(plain));
        if (set.Contains('"')) alternatives.Add(GbnfText.Literal("\\\""));
        if (set.Contains('\\')) alternatives.Add(GbnfText.Literal("\\\\"));

        var shortEscapes = new StringBuilder();
        var hexEscapes = new List<int>();
        foreach (var (lo, hi) in set.Intersect(Controls).Ranges)
        {
            for (int c = lo; c <= hi; c++)
            {
                char s = ShortEscape(c);
                if (s != '\0') shortEscapes.Append(s);
                else hexEscapes.Add(c);
            }
        }
        if (shortEscapes.Length == 1) alternatives.Add(GbnfText.Literal("\\" + shortEscapes));
        else if (shortEscapes.Length > 1) alternatives.Add("\"\\\\\" [" + shortEscapes + "]");
        foreach (int high in new[] { 0, 1 })
        {
            var lows = new StringBuilder();
            foreach (int c in hexEscapes)
                if (c >> 4 == high) lows.Append((c & 0xF).ToString("x", CultureInfo.InvariantCulture));
            if (lows.Length > 0)
                alternatives.Add(GbnfText.Literal("\\u00" + high) + " [" + lows + "]");
        }
        return alternatives.Count == 1 ? alternatives[0] : "( " + string.Join(" | ", alternatives) + " )";
    }

    /// <summary>The JSON-escaped form of <paramref name="text"/> (what goes between the quotes).</summary>
    public static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (c == '"') sb.Append("\\\"");
            else if (c == '\\') sb.Append("\\\\");
            else if (c < 0x20)
            {
                char s = ShortEscape(c);
                if (s != '\0') sb.Append('\\').Append(s);
                else sb.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }

    private static char ShortEscape(int c) => c switch
    {
        '\b' => 'b',
        '\f' => 'f',
        '\n' => 'n',
        '\r' => 'r',
        '\t' => 't',
        _ => '\0',
    };
}
