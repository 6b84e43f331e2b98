namespace Ponder.Grammars;

/// <summary>
/// For every automaton state, the fewest bytes that finish the rule it is in (0 where the rule may end), with calls
/// costing the fewest bytes of the callee. A stack's fewest bytes to the end of the grammar is the sum over its
/// frames, which lets a matcher write the shortest completion of its text: what a token budget falls back on so a
/// constrained output ends complete (valid JSON, say) instead of being cut off.
/// </summary>
sealed class CompletionLengths
{
    const int Unreachable = int.MaxValue / 4;

    readonly PushdownAutomaton _pda;
    readonly int[] _bytes;

    public CompletionLengths(PushdownAutomaton pda)
    {
        _pda = pda;
        var d = new int[pda.StateCount];
        Array.Fill(d, Unreachable);
        // Bellman-Ford to the fixed point: costs are non-negative and every rule has a finite string (the grammar
        // checks that), so each pass only lowers values and the loop ends after at most (longest chain) passes.
        for (var changed = true; changed;)
        {
            changed = false;
            for (var s = pda.StateCount - 1; s >= 0; s--)
            {
                var best = Best(d, s);
                if (best < d[s])
                {
                    d[s] = best;
                    changed = true;
                }
            }
        }
        _bytes = d;
    }

    /// <summary>Fewest bytes from <paramref name="state"/> to the end of its rule.</summary>
    public int Bytes(int state) => _bytes[state];

    int Best(int[] d, int s)
    {
        var pda = _pda;
        if (pda.Final[s]) return 0;
        var best = Unreachable;
        for (int e = pda.EdgeStart[s], end = pda.EdgeStart[s + 1]; e < end; e++)
            best = Math.Min(best, 1 + d[pda.EdgeTo[e]]);
        for (int c = pda.CallStart[s], end = pda.CallStart[s + 1]; c < end; c++)
            best = Math.Min(best, d[pda.RuleStart[pda.CallRule[c]]] + d[pda.CallReturn[c]]);
        return Math.Min(best, Unreachable);
    }

    /// <summary>Fewest bytes that empty the stack <paramref name="node"/> (its frames' rules all end).</summary>
    public long StackBytes(StackArena arena, int node)
    {
        long sum = 0;
        for (var n = node; n >= 0; n = arena.Parent(n)) sum += _bytes[arena.State(n)];
        return sum;
    }

    /// <summary>Appends to <paramref name="into"/> a shortest byte string that takes stack <paramref name="node"/> to
    /// the end of the grammar: follow, from the top frame down, an edge or call that keeps the remaining count
    /// minimal. Byte edges are preferred over calls and the walk is bounded, so rules that may be empty cannot loop.
    /// <paramref name="pending"/> is scratch (the frames still to finish), so a token budget that asks every step
    /// allocates nothing.</summary>
    public void AppendShortest(StackArena arena, int node, List<byte> into, IntBuffer pending)
    {
        var pda = _pda;
        // Frames below the top, bottom first, so the buffer pops the parent of the top first.
        pending.Clear();
        for (var n = arena.Parent(node); n >= 0; n = arena.Parent(n)) pending.Add(arena.State(n));
        pending.Span.Reverse();
        var s = arena.State(node);
        for (var guard = 0; guard < 1_000_000; guard++)
        {
            if (_bytes[s] == 0)
            {
                if (pending.Count == 0) return;
                s = pending[--pending.Count];
                continue;
            }
            var moved = false;
            for (int e = pda.EdgeStart[s], end = pda.EdgeStart[s + 1]; e < end && !moved; e++)
            {
                if (1 + _bytes[pda.EdgeTo[e]] != _bytes[s]) continue;
                into.Add(pda.EdgeLo[e]);
                s = pda.EdgeTo[e];
                moved = true;
            }
            for (int c = pda.CallStart[s], end = pda.CallStart[s + 1]; c < end && !moved; c++)
            {
                var start = pda.RuleStart[pda.CallRule[c]];
                if (_bytes[start] + _bytes[pda.CallReturn[c]] != _bytes[s] || _bytes[start] == 0) continue;
                pending.Add(pda.CallReturn[c]);
                s = start;
                moved = true;
            }
            if (!moved)
            {
                // Only calls of empty rules remain (their cost is the return state's): step over to the return state.
                for (int c = pda.CallStart[s], end = pda.CallStart[s + 1]; c < end && !moved; c++)
                {
                    if (_bytes[pda.CallReturn[c]] != _bytes[s]) continue;
                    s = pda.CallReturn[c];
                    moved = true;
                }
            }
            if (!moved) return;
        }
    }
}
