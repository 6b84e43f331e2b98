namespace Ponder.Grammars;

/// <summary>The checks that make a grammar usable: every reference defined, the root present, every reachable rule
/// able to produce a finite string, and no left recursion (a rule reaching itself before any character, which a
/// pushdown matcher would expand forever).</summary>
static class GrammarAnalysis
{
    public static void Validate(Grammar g)
    {
        foreach (var r in g.Rules) CheckRefs(g, r.Body);
        if (!g.TryGetRule(g.RootRule, out _))
            throw new GrammarException(
                $"The grammar has no '{g.RootRule}' rule; add '{g.RootRule} ::= ...' for the whole output to match");

        var reachable = Reachable(g);
        var nullable = Fixpoint(g, Nullable);
        var productive = Fixpoint(g, Productive);
        foreach (var r in g.Rules)
            if (reachable.Contains(r.Name) && !productive.Contains(r.Name))
                throw new GrammarException(
                    $"Rule '{r.Name}' can never produce a finite string: each alternative needs '{r.Name}' (or a rule "
                    + "that needs it) again; add an alternative that ends, such as an empty one", r.Line, r.Column);
        CheckLeftRecursion(g, reachable, nullable);
    }

    static void CheckRefs(Grammar g, GrammarExpr e)
    {
        switch (e)
        {
            case GrammarRuleRef r when !g.TryGetRule(r.Name, out _):
                throw new GrammarException($"Undefined rule '{r.Name}'; define it with '{r.Name} ::= ...'", r.Line, r.Column);
            case GrammarSequence s: foreach (var i in s.Items) CheckRefs(g, i); break;
            case GrammarChoice c: foreach (var a in c.Alternatives) CheckRefs(g, a); break;
            case GrammarRepeat rep: CheckRefs(g, rep.Item); break;
        }
    }

    static HashSet<string> Reachable(Grammar g)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal) { g.RootRule };
        var work = new Stack<string>();
        work.Push(g.RootRule);
        var refs = new List<string>();
        while (work.Count > 0)
        {
            refs.Clear();
            CollectRefs(g[work.Pop()].Body, refs);
            foreach (var n in refs)
                if (seen.Add(n)) work.Push(n);
        }
        return seen;
    }

    internal static void CollectRefs(GrammarExpr e, List<string> into)
    {
        switch (e)
        {
            case GrammarRuleRef r: into.Add(r.Name); break;
            case GrammarSequence s: foreach (var i in s.Items) CollectRefs(i, into); break;
            case GrammarChoice c: foreach (var a in c.Alternatives) CollectRefs(a, into); break;
            case GrammarRepeat rep: CollectRefs(rep.Item, into); break;
        }
    }

    /// <summary>Least fixpoint of a per-rule property over the rules (nullable, productive).</summary>
    static HashSet<string> Fixpoint(Grammar g, Func<GrammarExpr, HashSet<string>, bool> holds)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var r in g.Rules)
                if (!set.Contains(r.Name) && holds(r.Body, set)) { set.Add(r.Name); changed = true; }
        }
        return set;
    }

    internal static bool Nullable(GrammarExpr e, HashSet<string> nullable) => e switch
    {
        GrammarLiteral l => l.CodePoints.Length == 0,
        GrammarCharClass => false,
        GrammarRuleRef r => nullable.Contains(r.Name),
        GrammarSequence s => s.Items.All(i => Nullable(i, nullable)),
        GrammarChoice c => c.Alternatives.Any(a => Nullable(a, nullable)),
        GrammarRepeat rep => rep.Min == 0 || Nullable(rep.Item, nullable),
        _ => throw new InvalidOperationException(e.GetType().Name),
    };

    static bool Productive(GrammarExpr e, HashSet<string> productive) => e switch
    {
        GrammarLiteral => true,
        GrammarCharClass cc => CodePointSet.FromClass(cc).Count > 0,
        GrammarRuleRef r => productive.Contains(r.Name),
        GrammarSequence s => s.Items.All(i => Productive(i, productive)),
        GrammarChoice c => c.Alternatives.Any(a => Productive(a, productive)),
        GrammarRepeat rep => rep.Min == 0 || Productive(rep.Item, productive),
        _ => throw new InvalidOperationException(e.GetType().Name),
    };

    /// <summary>Rules referenced where everything before them in the rule may match the empty string.</summary>
    static void LeftRefs(GrammarExpr e, HashSet<string> nullable, List<GrammarRuleRef> into)
    {
        switch (e)
        {
            case GrammarRuleRef r: into.Add(r); break;
            case GrammarSequence s:
                foreach (var i in s.Items)
                {
                    LeftRefs(i, nullable, into);
                    if (!Nullable(i, nullable)) break;
                }
                break;
            case GrammarChoice c: foreach (var a in c.Alternatives) LeftRefs(a, nullable, into); break;
            case GrammarRepeat rep when rep.Max != 0: LeftRefs(rep.Item, nullable, into); break;
        }
    }

    static void CheckLeftRecursion(Grammar g, HashSet<string> reachable, HashSet<string> nullable)
    {
        var edges = new Dictionary<string, List<GrammarRuleRef>>(StringComparer.Ordinal);
        foreach (var r in g.Rules)
        {
            var list = new List<GrammarRuleRef>();
            LeftRefs(r.Body, nullable, list);
            edges[r.Name] = list;
        }
        // 0 = unvisited, 1 = on the DFS path, 2 = done.
        var mark = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<string>();
        foreach (var r in g.Rules)
            if (reachable.Contains(r.Name)) Visit(r.Name);

        void Visit(string name)
        {
            mark[name] = 1;
            path.Add(name);
            foreach (var re in edges[name])
            {
                var m = mark.GetValueOrDefault(re.Name);
                if (m == 1)
                {
                    var cycle = string.Join(" -> ", path.Skip(path.IndexOf(re.Name)).Append(re.Name));
                    throw new GrammarException(
                        $"Left recursion: rule '{re.Name}' can reach itself before matching any character ({cycle}); "
                        + "rewrite it with repetition, e.g. 'expr ::= term (\"+\" term)*' instead of 'expr ::= expr \"+\" term | term'",
                        re.Line, re.Column);
                }
                if (m == 0) Visit(re.Name);
            }
            path.RemoveAt(path.Count - 1);
            mark[name] = 2;
        }
    }
}
