using System.Text;

namespace Ponder.Grammars.Tests.Schema;

/// <summary>
/// Draws random strings of a grammar by random derivation, straight from the rule tree. It does not
/// depend on the matcher, so converter outputs can be checked even where the matcher is not at
/// hand; past a depth budget it takes the cheapest way to finish so every draw terminates.
/// </summary>
public sealed class GrammarSampler
{
    private readonly Grammar _grammar;
    private readonly Random _rng;
    private readonly Dictionary<string, int> _ruleCost = new(StringComparer.Ordinal);
    private int _depth;

    public GrammarSampler(Grammar grammar, int seed)
    {
        _grammar = grammar;
        _rng = new Random(seed);
        ComputeCosts();
    }

    /// <summary>How deep derivations go before the sampler steers toward the shortest completion.</summary>
    public int DepthBudget { get; init; } = 40;

    /// <summary>Probability of a non-ASCII character when a class allows one.</summary>
    public double NonAsciiRate { get; init; } = 0.1;

    public string Sample()
    {
        var sb = new StringBuilder();
        _depth = 0;
        Emit(new GrammarRuleRef(_grammar.RootRule), sb);
        return sb.ToString();
    }

    private bool Tight => _depth > DepthBudget;

    private void Emit(GrammarExpr e, StringBuilder sb)
    {
        switch (e)
        {
            case GrammarLiteral l:
                foreach (var cp in l.CodePoints) sb.Append(char.ConvertFromUtf32(cp));
                break;
            case GrammarCharClass c:
                sb.Append(char.ConvertFromUtf32(PickChar(c)));
                break;
            case GrammarRuleRef r:
                _depth++;
                Emit(_grammar[r.Name].Body, sb);
                _depth--;
                break;
            case GrammarSequence s:
                foreach (var item in s.Items) Emit(item, sb);
                break;
            case GrammarChoice ch:
                GrammarExpr pick;
                if (Tight)
                {
                    int best = ch.Alternatives.Min(Cost);
                    var cheapest = ch.Alternatives.Where(a => Cost(a) == best).ToList();
                    pick = cheapest[_rng.Next(cheapest.Count)];
                }
                else pick = ch.Alternatives[_rng.Next(ch.Alternatives.Count)];
                Emit(pick, sb);
                break;
            case GrammarRepeat rep:
                int max = rep.Max ?? rep.Min + 4;
                int n = Tight ? rep.Min : rep.Min + _rng.Next(Math.Min(max - rep.Min, 6) + 1);
                // Long bounded repetitions are sometimes drawn at their maximum to test the bound.
                if (!Tight && rep.Max is int m && m - rep.Min > 6 && _rng.Next(8) == 0) n = m;
                for (int i = 0; i < n; i++) Emit(rep.Item, sb);
                break;
            default:
                throw new InvalidOperationException(e.GetType().Name);
        }
    }

    private int PickChar(GrammarCharClass c)
    {
        var ranges = new List<(int Lo, int Hi)>();
        if (!c.Negated) ranges.AddRange(c.Ranges);
        else
        {
            var sorted = c.Ranges.OrderBy(r => r.Lo).ToList();
            int next = 0;
            foreach (var (lo, hi) in sorted)
            {
                if (lo > next) ranges.Add((next, lo - 1));
                next = Math.Max(next, hi + 1);
            }
            if (next <= 0x10FFFF) ranges.Add((next, 0x10FFFF));
        }
        // No surrogates: they are not characters.
        ranges = ranges.SelectMany(r => r.Hi < 0xD800 || r.Lo > 0xDFFF ? [r]
            : new[] { (r.Lo, 0xD7FF), (0xE000, r.Hi) }.Where(x => x.Item1 <= x.Item2)).ToList();
        var ascii = ranges.Where(r => r.Lo < 0x80).Select(r => (r.Lo, Math.Min(r.Hi, 0x7F))).ToList();
        var pool = ascii.Count > 0 && _rng.NextDouble() >= NonAsciiRate ? ascii : ranges;
        var (a, b) = pool[_rng.Next(pool.Count)];
        return a + _rng.Next(b - a + 1);
    }

    private int Cost(GrammarExpr e) => e switch
    {
        GrammarLiteral l => l.CodePoints.Length,
        GrammarCharClass => 1,
        GrammarRuleRef r => _ruleCost.TryGetValue(r.Name, out var v) ? v : int.MaxValue / 4,
        GrammarSequence s => (int)Math.Min(int.MaxValue / 4, s.Items.Sum(x => (long)Cost(x))),
        GrammarChoice ch => ch.Alternatives.Min(Cost),
        GrammarRepeat rep => (int)Math.Min(int.MaxValue / 4, (long)rep.Min * Cost(rep.Item)),
        _ => int.MaxValue / 4,
    };

    /// <summary>Fixpoint of the shortest finishing length of each rule.</summary>
    private void ComputeCosts()
    {
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (var rule in _grammar.Rules)
            {
                int c = Cost(rule.Body);
                if (!_ruleCost.TryGetValue(rule.Name, out var old) || c < old)
                {
                    _ruleCost[rule.Name] = c;
                    changed = true;
                }
            }
        }
    }
}
