using System.Text;

namespace Ponder.Grammars;

/// <summary>Per automaton position, the tokens accepted, rejected, or context-dependent whatever lies below on the
/// stack (XGrammar's adaptive token-mask cache). Built by walking the byte-sorted vocabulary from each position
/// with the position's caller unknown: a token that stays inside the rule is decided; one that runs past the rule's
/// end is decided only if no caller anywhere in the grammar could continue it (rejected), else left for run time.</summary>
sealed class TokenMaskCache
{
    TokenMaskCache(TokenMaskEntry?[] entryOfState, int entryCount)
    {
        EntryOfState = entryOfState;
        EntryCount = entryCount;
    }

    /// <summary>The entry for each state with byte edges (null for the others, which are never on top).</summary>
    public TokenMaskEntry?[] EntryOfState { get; }

    /// <summary>Distinct entries (states with the same outgoing edges share one).</summary>
    public int EntryCount { get; }

    public static TokenMaskCache Build(PushdownAutomaton pda, SortedVocabulary vocab, Func<bool> overTime, string timeMessage)
    {
        // States with the same outgoing edges have the same mask: compute each distinct one once.
        var entryIndex = new int[pda.StateCount];
        var byEdges = new Dictionary<string, int>();
        var representatives = new List<int>();
        var key = new StringBuilder();
        for (var s = 0; s < pda.StateCount; s++)
        {
            entryIndex[s] = -1;
            if (!pda.HasBytes(s)) continue;
            key.Clear();
            for (var e = pda.EdgeStart[s]; e < pda.EdgeStart[s + 1]; e++)
                key.Append(pda.EdgeLo[e]).Append('-').Append(pda.EdgeHi[e]).Append('>').Append(pda.EdgeTo[e]).Append(';');
            var k = key.ToString();
            if (!byEdges.TryGetValue(k, out var idx))
            {
                idx = representatives.Count;
                byEdges[k] = idx;
                representatives.Add(s);
            }
            entryIndex[s] = idx;
        }

        var built = new TokenMaskEntry[representatives.Count];
        try
        {
            // Positions are independent; each worker has its own arena and walker.
            Parallel.For(0, representatives.Count,
                () => new Worker(pda, vocab, overTime, timeMessage),
                (i, _, w) => { built[i] = w.Build(representatives[i]); return w; },
                _ => { });
        }
        catch (AggregateException ae) when (ae.InnerException is GrammarException ge)
        {
            throw ge;
        }
        var entries = new TokenMaskEntry?[pda.StateCount];
        for (var s = 0; s < pda.StateCount; s++)
            if (entryIndex[s] >= 0) entries[s] = built[entryIndex[s]];
        return new TokenMaskCache(entries, built.Length);
    }

    sealed class Worker(PushdownAutomaton pda, SortedVocabulary vocab, Func<bool> overTime, string timeMessage)
    {
        readonly StackArena _arena = new();
        readonly List<int> _accepted = [];
        readonly List<int> _uncertain = [];
        TrieWalker? _walker;
        int _work;

        public TokenMaskEntry Build(int s)
        {
            _walker ??= new TrieWalker(new StackRunner(pda, _arena));
            var walker = _walker;
            _arena.Clear();
            walker.Reset(_arena.Intern(s, StackArena.Context));
            _accepted.Clear();
            _uncertain.Clear();
            // Only tokens whose first byte an edge takes can be anything but rejected.
            var lastHi = -1;
            for (var e = pda.EdgeStart[s]; e < pda.EdgeStart[s + 1]; e++)
            {
                var lo = Math.Max(pda.EdgeLo[e], lastHi + 1);
                var hi = (int)pda.EdgeHi[e];
                if (hi < lo) continue;
                lastHi = Math.Max(lastHi, hi);
                for (int i = vocab.FirstByteStart[lo], end = vocab.FirstByteStart[hi + 1]; i < end; i++)
                {
                    if ((++_work & 4095) == 0 && overTime()) throw new GrammarException(timeMessage);
                    var token = vocab.TokenAt(i);
                    var reached = walker.Walk(token, vocab.Lcp[i]);
                    if (reached < token.Length) continue; // died inside the token: rejected
                    var n = token.Length;
                    if (walker.Definite(n) > 0 || (walker.Flags(n) & StackRunner.ReachedContext) != 0)
                        _accepted.Add(vocab.Order[i]);
                    else if (walker.Count(n) > 0 || (walker.Flags(n) & StackRunner.ReachedSpeculativeEnd) != 0)
                        _uncertain.Add(i);
                }
            }
            _accepted.Sort();
            return TokenMaskEntry.Create(_accepted, _uncertain, vocab);
        }
    }
}
