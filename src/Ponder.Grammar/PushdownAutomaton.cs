namespace Ponder.Grammars;

/// <summary>The compiled grammar as a byte-level pushdown automaton: each non-inlined rule is an epsilon-free
/// automaton over UTF-8 bytes whose states have byte-range edges, rule-call edges (push the callee, continue at the
/// return state when it ends) and a final flag (the rule may end here). Flat arrays, indexed by global state id.</summary>
sealed class PushdownAutomaton
{
    public required int[] EdgeStart { get; init; }    // state s's byte edges are [EdgeStart[s], EdgeStart[s+1]), sorted by Lo
    public required byte[] EdgeLo { get; init; }
    public required byte[] EdgeHi { get; init; }
    public required int[] EdgeTo { get; init; }
    public required int[] CallStart { get; init; }    // state s's calls are [CallStart[s], CallStart[s+1])
    public required int[] CallRule { get; init; }
    public required int[] CallReturn { get; init; }
    public required bool[] Final { get; init; }
    public required int[] RuleOf { get; init; }
    public required int[] RuleStart { get; init; }
    public required string[] RuleNames { get; init; }
    public required int RootRule { get; init; }
    public required int[] CallerStart { get; init; }  // return states of every call to rule r: [CallerStart[r], CallerStart[r+1])
    public required int[] CallerReturn { get; init; }

    public int StateCount => Final.Length;

    public bool HasBytes(int s) => EdgeStart[s + 1] > EdgeStart[s];

    /// <summary>Final with nothing else to do: a call that returns here need not push a frame (tail call), which
    /// keeps right-recursive rules (lists) at a constant stack depth.</summary>
    public bool PureFinal(int s) => Final[s] && EdgeStart[s + 1] == EdgeStart[s] && CallStart[s + 1] == CallStart[s];
}
