using System.Runtime.CompilerServices;

namespace Ponder.Grammars;

/// <summary>Turns a validated <see cref="Grammar"/> into a <see cref="PushdownAutomaton"/>: a Thompson-style epsilon
/// automaton per rule (small non-recursive rules inlined into their callers), then epsilon elimination. Counts states
/// against <see cref="GrammarCompilerOptions.MaxStates"/> as it goes.</summary>
sealed class AutomatonBuilder
{
    readonly Grammar _g;
    readonly GrammarCompilerOptions _options;
    readonly CancellationToken _deadline;
    readonly Dictionary<string, int> _inlineSize = new(StringComparer.Ordinal);
    readonly Dictionary<string, int> _ruleIds = new(StringComparer.Ordinal);
    readonly List<string> _ruleNames = [];

    // Epsilon automaton under construction (global state ids).
    readonly List<List<int>> _eps = [];
    readonly List<List<(byte Lo, byte Hi, int To)>> _bytes = [];
    readonly List<List<(int Rule, int To)>> _calls = [];
    readonly List<int> _stateRule = [];
    readonly List<(int Start, int End)> _ruleFragment = [];

    AutomatonBuilder(Grammar g, GrammarCompilerOptions options, CancellationToken deadline)
    {
        _g = g;
        _options = options;
        _deadline = deadline;
    }

    public static PushdownAutomaton Build(Grammar g, GrammarCompilerOptions options, CancellationToken deadline)
    {
        var b = new AutomatonBuilder(g, options, deadline);
        b.DecideInlining();
        b.RuleId(g.RootRule);
        for (var r = 0; r < b._ruleNames.Count; r++) b.BuildRule(r); // RuleId appends as calls are met
        return b.EliminateEpsilons();
    }

    int RuleId(string name)
    {
        if (_ruleIds.TryGetValue(name, out var id)) return id;
        id = _ruleNames.Count;
        _ruleIds[name] = id;
        _ruleNames.Add(name);
        _ruleFragment.Add((-1, -1));
        return id;
    }

    int NewState(int rule)
    {
        if (_eps.Count >= _options.MaxStates)
            throw new GrammarException(
                $"The grammar needs more than {_options.MaxStates} automaton states (rule '{_ruleNames[rule]}' was being built); "
                + "reduce large repetition bounds or long alternatives, or raise GrammarCompilerOptions.MaxStates");
        if ((_eps.Count & 1023) == 0) CheckTime();
        _eps.Add([]);
        _bytes.Add([]);
        _calls.Add([]);
        _stateRule.Add(rule);
        return _eps.Count - 1;
    }

    void CheckTime()
    {
        if (_deadline.IsCancellationRequested)
            throw new GrammarException(
                $"Compiling the grammar took longer than {_options.MaxCompileTime.TotalSeconds:0.#} s; simplify it or raise GrammarCompilerOptions.MaxCompileTime");
    }

    void BuildRule(int rule)
    {
        var start = NewState(rule);
        var end = Build(_g[_ruleNames[rule]].Body, start, rule);
        _ruleFragment[rule] = (start, end);
    }

    /// <summary>Adds <paramref name="e"/> starting at <paramref name="from"/>; returns its end state. Loops only ever
    /// go back to states the construct created, never to <paramref name="from"/>, so fragments can share a start.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    int Build(GrammarExpr e, int from, int rule)
    {
        switch (e)
        {
            case GrammarLiteral lit:
            {
                Span<byte> buf = stackalloc byte[4];
                var cur = from;
                foreach (var cp in lit.CodePoints)
                {
                    if (cp is >= 0xD800 and <= 0xDFFF)
                        throw new GrammarException($"Literal contains the surrogate U+{cp:X4}, which no UTF-8 text can contain", lit.Line, lit.Column);
                    var n = Utf8Sequences.Encode(cp, buf);
                    for (var i = 0; i < n; i++)
                    {
                        var next = NewState(rule);
                        _bytes[cur].Add((buf[i], buf[i], next));
                        cur = next;
                    }
                }
                return cur;
            }
            case GrammarCharClass cc:
            {
                var seqs = new List<(byte Lo, byte Hi)[]>();
                foreach (var (lo, hi) in CodePointSet.FromClass(cc).Ranges) Utf8Sequences.Split(lo, hi, seqs);
                // A byte trie of the sequences (node 0 stands for `from`, target -1 for the class's end)...
                var trie = new List<List<(byte Lo, byte Hi, int To)>> { new() };
                var child = new Dictionary<(int, byte, byte), int>();
                foreach (var seq in seqs)
                {
                    var node = 0;
                    for (var i = 0; i < seq.Length; i++)
                    {
                        if (i == seq.Length - 1) { trie[node].Add((seq[i].Lo, seq[i].Hi, -1)); break; }
                        if (!child.TryGetValue((node, seq[i].Lo, seq[i].Hi), out var next))
                        {
                            next = trie.Count;
                            trie.Add([]);
                            child[(node, seq[i].Lo, seq[i].Hi)] = next;
                            trie[node].Add((seq[i].Lo, seq[i].Hi, next));
                        }
                        node = next;
                    }
                }
                // ...with equal continuations merged (suffix sharing): the BMP class of a JSON string character takes
                // 5 states instead of 10, and bounded strings repeat it once per character. Children have larger
                // ids than their parents, so one backward pass sees every child's merged id first.
                var end = NewState(rule);
                var merged = new int[trie.Count];
                var bySuffix = new Dictionary<string, int>(StringComparer.Ordinal);
                var key = new System.Text.StringBuilder();
                for (var n = trie.Count - 1; n >= 0; n--)
                {
                    if (n == 0) { merged[0] = from; break; }
                    key.Clear();
                    foreach (var (lo, hi, to) in trie[n]) key.Append(lo).Append('-').Append(hi).Append('>').Append(to < 0 ? end : merged[to]).Append(',');
                    var k = key.ToString();
                    if (!bySuffix.TryGetValue(k, out var state))
                    {
                        state = NewState(rule);
                        bySuffix[k] = state;
                        foreach (var (lo, hi, to) in trie[n]) _bytes[state].Add((lo, hi, to < 0 ? end : merged[to]));
                    }
                    merged[n] = state;
                }
                foreach (var (lo, hi, to) in trie[0]) _bytes[from].Add((lo, hi, to < 0 ? end : merged[to]));
                return end;
            }
            case GrammarRuleRef r:
            {
                if (_inlineSize.ContainsKey(r.Name)) return Build(_g[r.Name].Body, from, rule);
                var ret = NewState(rule);
                _calls[from].Add((RuleId(r.Name), ret));
                return ret;
            }
            case GrammarSequence seq:
            {
                var cur = from;
                foreach (var item in seq.Items) cur = Build(item, cur, rule);
                return cur;
            }
            case GrammarChoice choice:
            {
                var end = NewState(rule);
                foreach (var alt in choice.Alternatives) _eps[Build(alt, from, rule)].Add(end);
                return end;
            }
            case GrammarRepeat rep:
            {
                var cur = from;
                for (var i = 0; i < rep.Min; i++) cur = Build(rep.Item, cur, rule);
                if (rep.Max == null)
                {
                    var loop = NewState(rule);
                    _eps[cur].Add(loop);
                    _eps[Build(rep.Item, loop, rule)].Add(loop);
                    return loop;
                }
                if (rep.Max == rep.Min) return cur;
                var end = NewState(rule);
                _eps[cur].Add(end);
                for (var i = rep.Min; i < rep.Max; i++)
                {
                    cur = Build(rep.Item, cur, rule);
                    _eps[cur].Add(end);
                }
                return end;
            }
            default:
                throw new InvalidOperationException(e.GetType().Name);
        }
    }

    /// <summary>Marks rules to inline: not recursive, and small once their own inlined references are counted.</summary>
    void DecideInlining()
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 = in progress, 2 = done
        foreach (var r in _g.Rules) Size(r.Name);

        // Returns the estimated state count, or -1 when the rule is recursive (or uses one that is not inlinable
        // only because it is recursive: calling it keeps this rule inlinable).
        int Size(string name)
        {
            if (state.TryGetValue(name, out var st))
                return st == 2 ? (_inlineSize.TryGetValue(name, out var s) ? s : -1) : -1;
            state[name] = 1;
            var size = Estimate(_g[name].Body);
            state[name] = 2;
            if (size >= 0 && size <= _options.InlineStateLimit && name != _g.RootRule) _inlineSize[name] = size;
            return _inlineSize.TryGetValue(name, out var v) ? v : -1;
        }

        int Estimate(GrammarExpr e)
        {
            switch (e)
            {
                case GrammarLiteral l: return l.CodePoints.Length * 2;
                case GrammarCharClass cc: return 2 + 2 * CodePointSet.FromClass(cc).Count;
                case GrammarRuleRef r:
                {
                    if (state.TryGetValue(r.Name, out var st) && st == 1) return -1; // recursion: this rule is not inlinable
                    var s = Size(r.Name);
                    return s >= 0 ? s : 1;
                }
                case GrammarSequence seq:
                {
                    var total = 0;
                    foreach (var i in seq.Items)
                    {
                        var s = Estimate(i);
                        if (s < 0) return -1;
                        total = Math.Min(total + s, int.MaxValue / 4);
                    }
                    return total;
                }
                case GrammarChoice c:
                {
                    var total = 1;
                    foreach (var a in c.Alternatives)
                    {
                        var s = Estimate(a);
                        if (s < 0) return -1;
                        total = Math.Min(total + s, int.MaxValue / 4);
                    }
                    return total;
                }
                case GrammarRepeat rep:
                {
                    var s = Estimate(rep.Item);
                    if (s < 0) return -1;
                    long copies = Math.Max(rep.Max ?? rep.Min + 1, 1);
                    return (int)Math.Min(s * copies + 2, int.MaxValue / 4);
                }
                default: throw new InvalidOperationException(e.GetType().Name);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    PushdownAutomaton EliminateEpsilons()
    {
        CheckTime();
        var n = _eps.Count;
        // Kept states: rule starts and every state entered by consuming a byte or returning from a call.
        var keep = new bool[n];
        foreach (var (start, _) in _ruleFragment) keep[start] = true;
        for (var s = 0; s < n; s++)
        {
            foreach (var (_, _, target) in _bytes[s]) keep[target] = true;
            foreach (var (_, target) in _calls[s]) keep[target] = true;
        }
        var newId = new int[n];
        var count = 0;
        for (var s = 0; s < n; s++) newId[s] = keep[s] ? count++ : -1;

        var ruleCount = _ruleNames.Count;
        var edgeStart = new int[count + 1];
        var callStart = new int[count + 1];
        var final = new bool[count];
        var ruleOf = new int[count];
        var lo = new List<byte>();
        var hi = new List<byte>();
        var to = new List<int>();
        var callRule = new List<int>();
        var callRet = new List<int>();
        var closure = new List<int>();
        var seen = new int[n];
        var stamp = 0;
        var stack = new Stack<int>();
        var edgeBuf = new List<(byte Lo, byte Hi, int To)>();
        var callBuf = new HashSet<(int, int)>();
        for (var s = 0; s < n; s++)
        {
            if (!keep[s]) continue;
            if ((s & 1023) == 0) CheckTime();
            var id = newId[s];
            var rule = _stateRule[s];
            ruleOf[id] = rule;
            stamp++;
            closure.Clear();
            stack.Push(s);
            seen[s] = stamp;
            while (stack.Count > 0)
            {
                var c = stack.Pop();
                closure.Add(c);
                foreach (var e in _eps[c])
                    if (seen[e] != stamp) { seen[e] = stamp; stack.Push(e); }
            }
            edgeBuf.Clear();
            callBuf.Clear();
            foreach (var c in closure)
            {
                if (c == _ruleFragment[rule].End) final[id] = true;
                foreach (var (l, h, t) in _bytes[c]) edgeBuf.Add((l, h, newId[t]));
                foreach (var (r, t) in _calls[c]) callBuf.Add((r, newId[t]));
            }
            edgeStart[id] = lo.Count;
            foreach (var (l, h, t) in MergeEdges(edgeBuf))
            {
                lo.Add(l);
                hi.Add(h);
                to.Add(t);
            }
            callStart[id] = callRule.Count;
            foreach (var (r, t) in callBuf)
            {
                callRule.Add(r);
                callRet.Add(t);
            }
        }
        edgeStart[count] = lo.Count;
        callStart[count] = callRule.Count;

        var ruleStart = new int[ruleCount];
        for (var r = 0; r < ruleCount; r++) ruleStart[r] = newId[_ruleFragment[r].Start];
        var callers = new List<int>[ruleCount];
        for (var r = 0; r < ruleCount; r++) callers[r] = [];
        for (var i = 0; i < callRule.Count; i++)
            if (!callers[callRule[i]].Contains(callRet[i])) callers[callRule[i]].Add(callRet[i]);
        var callerStart = new int[ruleCount + 1];
        var callerReturn = new List<int>();
        for (var r = 0; r < ruleCount; r++)
        {
            callerStart[r] = callerReturn.Count;
            callerReturn.AddRange(callers[r]);
        }
        callerStart[ruleCount] = callerReturn.Count;

        return new PushdownAutomaton
        {
            EdgeStart = edgeStart, EdgeLo = lo.ToArray(), EdgeHi = hi.ToArray(), EdgeTo = to.ToArray(),
            CallStart = callStart, CallRule = callRule.ToArray(), CallReturn = callRet.ToArray(),
            Final = final, RuleOf = ruleOf, RuleStart = ruleStart, RuleNames = _ruleNames.ToArray(),
            RootRule = 0, CallerStart = callerStart, CallerReturn = callerReturn.ToArray(),
        };
    }

    /// <summary>Removes duplicate edges and joins adjacent ranges to the same target, sorted by low byte.</summary>
    static List<(byte Lo, byte Hi, int To)> MergeEdges(List<(byte Lo, byte Hi, int To)> edges)
    {
        edges.Sort((a, b) => a.To != b.To ? a.To.CompareTo(b.To) : a.Lo.CompareTo(b.Lo));
        var merged = new List<(byte Lo, byte Hi, int To)>(edges.Count);
        foreach (var e in edges)
        {
            if (merged.Count > 0 && merged[^1].To == e.To && e.Lo <= merged[^1].Hi + 1)
                merged[^1] = (merged[^1].Lo, Math.Max(merged[^1].Hi, e.Hi), e.To);
            else merged.Add(e);
        }
        merged.Sort((a, b) => a.Lo != b.Lo ? a.Lo.CompareTo(b.Lo) : a.To.CompareTo(b.To));
        return merged;
    }
}
