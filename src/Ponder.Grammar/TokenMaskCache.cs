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
        var arena = new StackArena();
        var runner = new StackRunner(pda, arena);
        var walker = new TrieWalker(runner);
        var entries = new TokenMaskEntry?[pda.StateCount];
        var byEdges = new Dictionary<string, TokenMaskEntry>();
        var key = new StringBuilder();
        var accepted = new List<int>();
        var uncertain = new List<int>();
        var work = 0;
        for (var s = 0; s < pda.StateCount; s++)
        {
            if (!pda.HasBytes(s)) continue;
            key.Clear();
            for (var e = pda.EdgeStart[s]; e < pda.EdgeStart[s + 1]; e++)
                key.Append(pda.EdgeLo[e]).Append('-').Append(pda.EdgeHi[e]).Append('>').Append(pda.EdgeTo[e]).Append(';');
            var k = key.ToString();
            if (byEdges.TryGetValue(k, out var shared)) { entries[s] = shared; continue; }

            arena.Clear();
            var root = arena.Intern(s, StackArena.Context);
            walker.Reset(root);
            accepted.Clear();
            uncertain.Clear();
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
                    if ((++work & 4095) == 0 && overTime()) throw new GrammarException(timeMessage);
                    var token = vocab.TokenAt(i);
                    var reached = walker.Walk(token, vocab.Lcp[i]);
                    if (reached < token.Length) continue; // died inside the token: rejected
                    var L = token.Length;
                    if (walker.Definite(L) > 0 || (walker.Flags(L) & StackRunner.ReachedContext) != 0)
                        accepted.Add(vocab.Order[i]);
                    else if (walker.Count(L) > 0 || (walker.Flags(L) & StackRunner.ReachedSpeculativeEnd) != 0)
                        uncertain.Add(i);
                }
            }
            accepted.Sort();
            var entry = TokenMaskEntry.Create(accepted, uncertain, vocab);
            byEdges[k] = entry;
            entries[s] = entry;
        }
        return new TokenMaskCache(entries, byEdges.Count);
    }
}
