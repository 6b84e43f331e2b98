using System.Runtime.CompilerServices;

namespace Ponder.Grammars;

/// <summary>Moves a set of stacks through the automaton: <see cref="Step"/> consumes one byte, then closes over
/// calls (push the callee's start) and rule ends (pop to the parent) until every stack in the set has a byte edge on
/// top. One runner per <see cref="StackArena"/>; not thread-safe.</summary>
sealed class StackRunner
{
    /// <summary>A stack emptied: the whole grammar may end here.</summary>
    public const int ReachedBottom = 1;
    /// <summary>The examined rule ended (its unknown caller would continue): the token's fate depends on context.</summary>
    public const int ReachedContext = 2;
    /// <summary>Under an assumed caller chain, the root rule ended.</summary>
    public const int ReachedSpeculativeEnd = 4;

    readonly PushdownAutomaton _pda;
    int[] _visited = new int[256];
    int _stamp;
    readonly IntBuffer _work = new(64);

    public StackRunner(PushdownAutomaton pda, StackArena arena)
    {
        _pda = pda;
        Arena = arena;
    }

    public StackArena Arena { get; }

    /// <summary>Bytes stepped and stack nodes visited by closures (diagnostics).</summary>
    internal long Steps, Visits;

    /// <summary>The closure of one stack: adds to <paramref name="into"/> every stack reachable without consuming a
    /// byte whose top has a byte edge; returns the Reached* flags met on the way.</summary>
    public int Expand(int node, IntBuffer into)
    {
        NewStamp();
        var flags = 0;
        Visit(node, into, ref flags);
        return flags;
    }

    /// <summary>Consumes <paramref name="b"/> from every stack in <paramref name="from"/> (their tops' byte edges
    /// only: their calls and ends were already expanded) and expands the results into <paramref name="into"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Step(ReadOnlySpan<int> from, byte b, IntBuffer into)
    {
        NewStamp();
        Steps++;
        var flags = 0;
        var pda = _pda;
        var arena = Arena;
        foreach (var n in from)
        {
            var s = arena.State(n);
            int end = pda.EdgeStart[s + 1];
            for (var e = pda.EdgeStart[s]; e < end; e++)
            {
                if (b < pda.EdgeLo[e]) break; // edges are sorted by low byte
                if (b <= pda.EdgeHi[e]) Visit(arena.Intern(pda.EdgeTo[e], arena.Parent(n)), into, ref flags);
            }
        }
        return flags;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    void NewStamp()
    {
        if (++_stamp == int.MaxValue)
        {
            Array.Clear(_visited);
            _stamp = 1;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    bool FirstVisit(int node)
    {
        if (node >= _visited.Length) Array.Resize(ref _visited, Math.Max(_visited.Length * 2, node + 1));
        if (_visited[node] == _stamp) return false;
        _visited[node] = _stamp;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void Visit(int start, IntBuffer into, ref int flags)
    {
        if (!FirstVisit(start)) return;
        var pda = _pda;
        var arena = Arena;
        _work.Clear();
        _work.Add(start);
        while (_work.Count > 0)
        {
            var n = _work[--_work.Count];
            Visits++;
            var s = arena.State(n);
            var parent = arena.Parent(n);
            if (pda.HasBytes(s)) into.Add(n);
            for (int c = pda.CallStart[s], ce = pda.CallStart[s + 1]; c < ce; c++)
            {
                var ret = pda.CallReturn[c];
                var p = pda.PureFinal(ret) ? parent : arena.Intern(ret, parent);
                Push(arena.Intern(pda.RuleStart[pda.CallRule[c]], p));
            }
            if (!pda.Final[s]) continue;
            if (parent >= 0) Push(parent);
            else if (parent == StackArena.Bottom) flags |= ReachedBottom;
            else
            {
                if (parent == StackArena.Context) flags |= ReachedContext;
                // Leaving the rule under an unknown caller: continue in every place that calls it. A rule called from
                // one place only (not the root, which may also sit on the empty stack) certainly returns there, so
                // that frame is as certain as the rule's own and only its caller is unknown: tokens that close a
                // string called once (`",`) are then decided here, not walked at every mask.
                var rule = pda.RuleOf[s];
                if (rule == pda.RootRule) flags |= ReachedSpeculativeEnd;
                int cs = pda.CallerStart[rule], cn = pda.CallerStart[rule + 1];
                var below = parent == StackArena.Context && rule != pda.RootRule && cn - cs == 1 ? StackArena.Context : StackArena.Speculative;
                for (var c = cs; c < cn; c++)
                    Push(arena.Intern(pda.CallerReturn[c], below));
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    void Push(int node)
    {
        if (FirstVisit(node)) _work.Add(node);
    }
}
