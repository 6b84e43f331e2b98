using System.Text;

namespace Ponder.Grammars;

/// <summary>A context-free grammar over Unicode code points, in the shape of llama.cpp's GBNF: named rules whose
/// bodies are literals, character classes, rule references, sequences, alternatives and repetitions. Construction
/// validates it (every reference defined, the root present, every rule able to end, no left recursion), so a
/// <see cref="Grammar"/> can always be compiled unless a compile cap is hit.</summary>
/// <remarks>Immutable. <see cref="ToString"/> prints GBNF that <see cref="Parse"/> reads back to the same rules.</remarks>
public sealed class Grammar
{
    readonly Dictionary<string, GrammarRule> _byName;

    /// <summary>Builds and validates a grammar from rules made in code (converters from JSON Schema or regex).</summary>
    /// <exception cref="GrammarException">A duplicate or undefined rule, no root, a rule that cannot end, left recursion.</exception>
    public Grammar(IEnumerable<GrammarRule> rules, string rootRule = "root")
    {
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentException.ThrowIfNullOrEmpty(rootRule);
        Rules = rules.ToArray();
        RootRule = rootRule;
        _byName = new Dictionary<string, GrammarRule>(StringComparer.Ordinal);
        foreach (var r in Rules)
            if (!_byName.TryAdd(r.Name, r))
                throw new GrammarException(
                    $"Rule '{r.Name}' is defined twice; give the second definition another name or merge the two with '|'",
                    r.Line, r.Column);
        GrammarAnalysis.Validate(this);
    }

    /// <summary>Reads a grammar in llama.cpp's GBNF syntax.</summary>
    /// <param name="gbnf">The grammar text: <c>name ::= ...</c> rules, <c>#</c> comments.</param>
    /// <param name="rootRule">The rule the whole output must match (llama.cpp's default is <c>root</c>).</param>
    /// <exception cref="GrammarException">Syntax error or invalid grammar, with its line and column.</exception>
    public static Grammar Parse(string gbnf, string rootRule = "root")
    {
        ArgumentNullException.ThrowIfNull(gbnf);
        return new Grammar(GbnfParser.Parse(gbnf), rootRule);
    }

    /// <summary>The rules in definition order.</summary>
    public IReadOnlyList<GrammarRule> Rules { get; }

    public string RootRule { get; }

    public GrammarRule this[string name] =>
        _byName.TryGetValue(name, out var r) ? r : throw new KeyNotFoundException($"No rule named '{name}'");

    public bool TryGetRule(string name, out GrammarRule rule) => _byName.TryGetValue(name, out rule!);

    /// <summary>The grammar in GBNF, one rule per line, root first.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Write(sb, _byName[RootRule]);
        foreach (var r in Rules)
            if (r.Name != RootRule) Write(sb, r);
        return sb.ToString();

        static void Write(StringBuilder sb, GrammarRule r)
        {
            sb.Append(r.Name).Append(" ::= ");
            r.Body.WriteGbnf(sb);
            sb.Append('\n');
        }
    }
}
