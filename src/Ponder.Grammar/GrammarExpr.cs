using System.Text;

namespace Ponder.Grammars;

/// <summary>A node of a grammar rule's right-hand side. Terminals are Unicode code points (as in GBNF); the compiler
/// turns them into UTF-8 byte automata.</summary>
public abstract record GrammarExpr
{
    /// <summary>1-based line and column of the node in the GBNF text (0 when built in code).</summary>
    public int Line { get; init; }
    public int Column { get; init; }

    /// <summary>The node in GBNF syntax; <see cref="Grammar.ToString"/> joins these into a text Parse reads back.</summary>
    public abstract void WriteGbnf(StringBuilder sb);

    public sealed override string ToString()
    {
        var sb = new StringBuilder();
        WriteGbnf(sb);
        return sb.ToString();
    }

    internal static void WriteGroup(StringBuilder sb, GrammarExpr e)
    {
        if (e is GrammarSequence or GrammarChoice)
        {
            sb.Append('(');
            e.WriteGbnf(sb);
            sb.Append(')');
        }
        else e.WriteGbnf(sb);
    }

    internal static void WriteChar(StringBuilder sb, int cp, bool inClass)
    {
        switch (cp)
        {
            case '\n': sb.Append("\\n"); return;
            case '\r': sb.Append("\\r"); return;
            case '\t': sb.Append("\\t"); return;
            case '\\': sb.Append("\\\\"); return;
            case '"' when !inClass: sb.Append("\\\""); return;
            case '[' or ']' or '-' or '^' when inClass: sb.Append('\\').Append((char)cp); return;
        }
        if (cp < 0x20 || cp == 0x7F) sb.Append("\\x").Append(cp.ToString("X2"));
        else if (cp is >= 0xD800 and <= 0xDFFF) sb.Append("\\u").Append(cp.ToString("X4"));
        else sb.Append(char.ConvertFromUtf32(cp));
    }
}

/// <summary>A literal string (<c>"abc"</c>), held as code points so that escapes such as <c>\U0001F600</c> survive.</summary>
public sealed record GrammarLiteral(int[] CodePoints) : GrammarExpr
{
    public static GrammarLiteral Of(string text)
    {
        var cps = new List<int>();
        foreach (var r in text.EnumerateRunes()) cps.Add(r.Value);
        return new GrammarLiteral(cps.ToArray());
    }

    public override void WriteGbnf(StringBuilder sb)
    {
        sb.Append('"');
        foreach (var cp in CodePoints) WriteChar(sb, cp, inClass: false);
        sb.Append('"');
    }
}

/// <summary>A character class: inclusive code-point ranges, optionally negated (<c>[^...]</c>). <c>.</c> is the negated
/// empty class.</summary>
public sealed record GrammarCharClass(IReadOnlyList<(int Lo, int Hi)> Ranges, bool Negated) : GrammarExpr
{
    public static GrammarCharClass Any { get; } = new([], true);

    public override void WriteGbnf(StringBuilder sb)
    {
        if (Negated && Ranges.Count == 0) { sb.Append('.'); return; }
        sb.Append('[');
        if (Negated) sb.Append('^');
        foreach (var (lo, hi) in Ranges)
        {
            WriteChar(sb, lo, inClass: true);
            if (hi != lo) { sb.Append('-'); WriteChar(sb, hi, inClass: true); }
        }
        sb.Append(']');
    }
}

/// <summary>A reference to another rule by name.</summary>
public sealed record GrammarRuleRef(string Name) : GrammarExpr
{
    public override void WriteGbnf(StringBuilder sb) => sb.Append(Name);
}

/// <summary>Items matched one after another; the empty sequence matches the empty string.</summary>
public sealed record GrammarSequence(IReadOnlyList<GrammarExpr> Items) : GrammarExpr
{
    public override void WriteGbnf(StringBuilder sb)
    {
        if (Items.Count == 0) { sb.Append("\"\""); return; }
        for (var i = 0; i < Items.Count; i++)
        {
            if (i > 0) sb.Append(' ');
            if (Items[i] is GrammarChoice) WriteGroup(sb, Items[i]);
            else Items[i].WriteGbnf(sb);
        }
    }
}

/// <summary>Alternatives (<c>a | b</c>).</summary>
public sealed record GrammarChoice(IReadOnlyList<GrammarExpr> Alternatives) : GrammarExpr
{
    public override void WriteGbnf(StringBuilder sb)
    {
        for (var i = 0; i < Alternatives.Count; i++)
        {
            if (i > 0) sb.Append(" | ");
            Alternatives[i].WriteGbnf(sb);
        }
    }
}

/// <summary>Repetition: <c>*</c> is {0,}, <c>+</c> is {1,}, <c>?</c> is {0,1}; <see cref="Max"/> null means unbounded.</summary>
public sealed record GrammarRepeat(GrammarExpr Item, int Min, int? Max) : GrammarExpr
{
    public override void WriteGbnf(StringBuilder sb)
    {
        WriteGroup(sb, Item);
        if (Min == 0 && Max == null) sb.Append('*');
        else if (Min == 1 && Max == null) sb.Append('+');
        else if (Min == 0 && Max == 1) sb.Append('?');
        else if (Max == Min) sb.Append('{').Append(Min).Append('}');
        else if (Max == null) sb.Append('{').Append(Min).Append(",}");
        else sb.Append('{').Append(Min).Append(',').Append(Max).Append('}');
    }
}
