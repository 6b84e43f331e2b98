namespace Ponder.Grammars.Tests;

/// <summary>An independent reference for the matcher: for an expression and a start position in a code-point
/// string, the set of positions where a match can end, computed exhaustively from the AST with no automaton.</summary>
public sealed class NaiveRecognizer(Grammar grammar)
{
    int[] _text = [];
    readonly Dictionary<(string, int), HashSet<int>> _memo = new();

    public bool Matches(string text)
    {
        _text = text.EnumerateRunes().Select(r => r.Value).ToArray();
        _memo.Clear();
        _exprMemo.Clear();
        return Rule(grammar.RootRule, 0).Contains(_text.Length);
    }

    HashSet<int> Rule(string name, int at)
    {
        if (_memo.TryGetValue((name, at), out var done)) return done;
        _memo[(name, at)] = []; // validation rules out left recursion, so this is never read mid-way
        var r = Match(grammar[name].Body, at);
        _memo[(name, at)] = r;
        return r;
    }

    // Every sub-expression memoised by (node, start): nested bounded repetitions are exponential without it.
    readonly Dictionary<GrammarExpr, Dictionary<int, HashSet<int>>> _exprMemo = new(ReferenceEqualityComparer.Instance);

    HashSet<int> Match(GrammarExpr e, int at)
    {
        if (!_exprMemo.TryGetValue(e, out var byStart)) _exprMemo[e] = byStart = [];
        if (byStart.TryGetValue(at, out var known)) return known;
        return byStart[at] = MatchUncached(e, at);
    }

    HashSet<int> MatchUncached(GrammarExpr e, int at)
    {
        switch (e)
        {
            case GrammarLiteral l:
            {
                if (at + l.CodePoints.Length > _text.Length) return [];
                for (var i = 0; i < l.CodePoints.Length; i++)
                    if (_text[at + i] != l.CodePoints[i]) return [];
                return [at + l.CodePoints.Length];
            }
            case GrammarCharClass cc:
            {
                if (at >= _text.Length) return [];
                var c = _text[at];
                var inRanges = cc.Ranges.Any(r => r.Lo <= c && c <= r.Hi);
                return inRanges != cc.Negated ? [at + 1] : [];
            }
            case GrammarRuleRef r: return Rule(r.Name, at);
            case GrammarSequence s:
            {
                var cur = new HashSet<int> { at };
                foreach (var item in s.Items)
                {
                    var next = new HashSet<int>();
                    foreach (var p in cur) next.UnionWith(Match(item, p));
                    cur = next;
                }
                return cur;
            }
            case GrammarChoice c:
            {
                var all = new HashSet<int>();
                foreach (var a in c.Alternatives) all.UnionWith(Match(a, at));
                return all;
            }
            case GrammarRepeat rep:
            {
                var result = new HashSet<int>();
                var cur = new HashSet<int> { at };
                var seen = new HashSet<int>();
                for (var k = 0; ; k++)
                {
                    if (k >= rep.Min) result.UnionWith(cur);
                    if (rep.Max != null && k == rep.Max) break;
                    if (k >= rep.Min)
                    {
                        // Past the minimum only new positions matter, so an unbounded loop reaches a fixpoint.
                        cur.ExceptWith(seen);
                        seen.UnionWith(cur);
                        if (cur.Count == 0) break;
                    }
                    var next = new HashSet<int>();
                    foreach (var p in cur) next.UnionWith(Match(rep.Item, p));
                    cur = next;
                    if (cur.Count == 0) break;
                }
                return result;
            }
            default: throw new InvalidOperationException(e.GetType().Name);
        }
    }
}
