using System.Text;

namespace Ponder.Grammars.Tests;

/// <summary>Random small grammars over a few characters of 1 to 4 UTF-8 bytes, and random strings: some derived
/// from the grammar (so many are in the language), some arbitrary.</summary>
public static class RandomGrammars
{
    static readonly string[] Alphabet = ["a", "b", "(", ")", "é", "😀"];

    public static Grammar? Generate(Random rng)
    {
        var ruleCount = rng.Next(1, 5);
        var names = Enumerable.Range(0, ruleCount).Select(i => i == 0 ? "root" : $"r{i}").ToArray();
        var sb = new StringBuilder();
        foreach (var n in names) sb.Append(n).Append(" ::= ").Append(Expr(rng, names, 3)).Append('\n');
        try { return Grammar.Parse(sb.ToString()); }
        catch (GrammarException) { return null; } // left recursion or a rule with no way out: draw again
    }

    static string Expr(Random rng, string[] names, int depth)
    {
        var k = depth <= 0 ? rng.Next(3) : rng.Next(8);
        switch (k)
        {
            case 0: return "\"" + string.Concat(Enumerable.Range(0, rng.Next(0, 3)).Select(_ => Alphabet[rng.Next(Alphabet.Length)])) + "\"";
            case 1:
            {
                var neg = rng.Next(4) == 0 ? "^" : "";
                var items = Enumerable.Range(0, rng.Next(1, 3)).Select(_ => rng.Next(3) switch
                {
                    0 => "a-b",
                    1 => "\\u00e0-\\u00ff",
                    _ => Alphabet[rng.Next(Alphabet.Length)] switch { "(" => "(", ")" => ")", var s => s },
                });
                return "[" + neg + string.Concat(items) + "]";
            }
            case 2: return names[rng.Next(names.Length)];
            case 3:
            case 4: return "(" + string.Join(" ", Enumerable.Range(0, rng.Next(1, 4)).Select(_ => Expr(rng, names, depth - 1))) + ")";
            case 5: return "(" + string.Join(" | ", Enumerable.Range(0, rng.Next(2, 4)).Select(_ => Expr(rng, names, depth - 1))) + ")";
            case 6:
            {
                // Counts above the small vocabulary's longest token (5 bytes) make positions that share mask entries.
                var q = rng.Next(8) switch { 0 => "*", 1 => "+", 2 => "?", 3 => "{2}", 4 => "{1,3}", 5 => "{0,7}", 6 => "{2,9}", _ => "{0,}" };
                return "(" + Expr(rng, names, depth - 1) + ")" + q;
            }
            default: return "\"" + Alphabet[rng.Next(Alphabet.Length)] + "\"";
        }
    }

    /// <summary>A string from a random derivation (bounded depth; null when it ran too deep), or arbitrary text.</summary>
    public static string RandomString(Random rng, Grammar g)
    {
        if (rng.Next(3) == 0)
            return string.Concat(Enumerable.Range(0, rng.Next(0, 7)).Select(_ => Alphabet[rng.Next(Alphabet.Length)]));
        var sb = new StringBuilder();
        return Derive(rng, g, g[g.RootRule].Body, sb, 0) ? sb.ToString() : "";
    }

    static bool Derive(Random rng, Grammar g, GrammarExpr e, StringBuilder sb, int depth)
    {
        if (depth > 30 || sb.Length > 60) return false;
        switch (e)
        {
            case GrammarLiteral l: foreach (var cp in l.CodePoints) sb.Append(char.ConvertFromUtf32(cp)); return true;
            case GrammarCharClass cc:
            {
                for (var tries = 0; tries < 20; tries++)
                {
                    var pick = rng.Next(3) == 0 ? Alphabet[rng.Next(Alphabet.Length)] : cc.Ranges.Count > 0
                        ? char.ConvertFromUtf32(rng.Next(cc.Ranges[0].Lo, cc.Ranges[0].Hi + 1)) : "z";
                    var cp = char.ConvertToUtf32(pick, 0);
                    if (cc.Ranges.Any(r => r.Lo <= cp && cp <= r.Hi) != cc.Negated) { sb.Append(pick); return true; }
                }
                return false;
            }
            case GrammarRuleRef r: return Derive(rng, g, g[r.Name].Body, sb, depth + 1);
            case GrammarSequence s: return s.Items.All(i => Derive(rng, g, i, sb, depth + 1));
            case GrammarChoice c: return Derive(rng, g, c.Alternatives[rng.Next(c.Alternatives.Count)], sb, depth + 1);
            case GrammarRepeat rep:
            {
                // Now and then run to the bound or one past it, where bounded repetitions go wrong.
                var n = rep.Max is { } max && rng.Next(4) == 0
                    ? max + rng.Next(2)
                    : rep.Min + rng.Next(0, Math.Min(rep.Max ?? rep.Min + 3, rep.Min + 3) - rep.Min + 1);
                for (var i = 0; i < n; i++)
                    if (!Derive(rng, g, rep.Item, sb, depth + 1)) return false;
                return true;
            }
            default: return false;
        }
    }
}
