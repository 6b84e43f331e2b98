using System.Runtime.CompilerServices;

namespace Ponder.Grammars;

/// <summary>Per automaton position, the tokens accepted, rejected, or context-dependent whatever lies below on the
/// stack (XGrammar's adaptive token-mask cache). Built by walking the byte-sorted vocabulary from each position
/// with the position's caller unknown: a token that stays inside the rule is decided; one that runs past the rule's
/// end is decided only if no caller anywhere in the grammar could continue it (rejected), else left for run time.</summary>
sealed class TokenMaskCache
{
    TokenMaskCache(TokenMaskEntry?[] entryOfState, int entryCount, long tokensWalked, TimeSpan planTime)
    {
        EntryOfState = entryOfState;
        EntryCount = entryCount;
        TokensWalked = tokensWalked;
        PlanTime = planTime;
    }

    /// <summary>The entry for each state with byte edges (null for the others, which are never on top).</summary>
    public TokenMaskEntry?[] EntryOfState { get; }

    /// <summary>Distinct entries (equivalent positions share one).</summary>
    public int EntryCount { get; }

    /// <summary>Tokens stepped through the automaton by the precompute (the work that grows with the vocabulary).</summary>
    public long TokensWalked { get; }

    /// <summary>Time spent finding which positions share work (<see cref="MaskSharingPlan"/>).</summary>
    public TimeSpan PlanTime { get; }

    /// <param name="reference">Build the cache as it was first built — positions share entries only when their edges
    /// are identical, and every token whose first byte fits is walked — for tests and the benchmark's baseline.</param>
    public static TokenMaskCache Build(PushdownAutomaton pda, SortedVocabulary vocab, Func<bool> overTime, string timeMessage,
        bool reference = false)
    {
        // Positions that behave alike for the first d bytes give the same verdict on tokens of at most d bytes:
        // compute each distinct entry once, and derive an entry from a similar one by walking only longer tokens.
        var planTimer = System.Diagnostics.Stopwatch.StartNew();
        var plan = reference
            ? MaskSharingPlan.Unshared(pda)
            : MaskSharingPlan.Build(pda, vocab.MaxLength, () => { if (overTime()) throw new GrammarException(timeMessage); });
        var planTime = planTimer.Elapsed;
        var built = new TokenMaskEntry[plan.LeafCount];
        var walked = 0L;
        foreach (var wave in plan.Waves)
        {
            try
            {
                // Leaves of one wave are independent; each worker has its own arena and walker.
                Parallel.For(0, wave.Length,
                    () => new Worker(pda, vocab, overTime, timeMessage, skipDeadPrefixes: !reference),
                    (i, _, w) =>
                    {
                        var leaf = wave[i];
                        var b = plan.Base[leaf];
                        built[leaf] = w.Build(plan.Representative[leaf], b < 0 ? null : built[b], plan.SharedDepth[leaf]);
                        return w;
                    },
                    w => Interlocked.Add(ref walked, w.TakeWalked()));
            }
            catch (AggregateException ae) when (ae.InnerException is GrammarException ge)
            {
                throw ge;
            }
        }
        var entries = new TokenMaskEntry?[pda.StateCount];
        for (var s = 0; s < pda.StateCount; s++)
            if (plan.LeafOfState[s] >= 0) entries[s] = built[plan.LeafOfState[s]];
        return new TokenMaskCache(entries, built.Length, walked, planTime);
    }

    sealed class Worker(PushdownAutomaton pda, SortedVocabulary vocab, Func<bool> overTime, string timeMessage, bool skipDeadPrefixes)
    {
        readonly StackArena _arena = new();
        readonly uint[] _accepted = new uint[(vocab.VocabSize + 31) >> 5];
        readonly List<int> _uncertain = [];
        readonly List<int> _inherited = [];
        TrieWalker? _walker;
        int _work;
        long _walked;

        public long TakeWalked()
        {
            var w = _walked;
            _walked = 0;
            return w;
        }

        /// <summary>The entry of position <paramref name="s"/>: verdicts on tokens of at most <paramref name="depth"/>
        /// bytes copied from <paramref name="similar"/> (a position that behaves the same that deep), the rest walked.</summary>
        // This and the walk under it (TrieWalker, StackRunner, StackArena) are optimised at once: a process's first
        // compiles otherwise run in tiered compilation's unoptimised code, which took a cold 0.5 s compile to 1-1.5 s.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public TokenMaskEntry Build(int s, TokenMaskEntry? similar, int depth)
        {
            _walker ??= new TrieWalker(new StackRunner(pda, _arena));
            var walker = _walker;
            _arena.Clear();
            walker.Reset(_arena.Intern(s, StackArena.Context));
            _uncertain.Clear();
            _inherited.Clear();
            if (similar == null)
            {
                depth = 0;
                Array.Clear(_accepted);
            }
            else
            {
                similar.CopyAcceptedTo(_accepted, vocab.VocabSize);
                var shortTokens = vocab.ShortTokens(depth);
                for (var w = 0; w < _accepted.Length; w++) _accepted[w] &= shortTokens[w];
                var starts = vocab.Start;
                foreach (var i in similar.Uncertain)
                    if (starts[i + 1] - starts[i] <= depth) _inherited.Add(i);
            }
            var (candidates, candidateLcp) = vocab.LongerThan(depth);
            var lengths = vocab.Start;
            // Only tokens whose first byte an edge takes can be anything but rejected.
            var lastHi = -1;
            for (var e = pda.EdgeStart[s]; e < pda.EdgeStart[s + 1]; e++)
            {
                var lo = Math.Max(pda.EdgeLo[e], lastHi + 1);
                var hi = (int)pda.EdgeHi[e];
                if (hi < lo) continue;
                lastHi = Math.Max(lastHi, hi);
                var from = LowerBound(candidates, vocab.FirstByteStart[lo]);
                var to = LowerBound(candidates, vocab.FirstByteStart[hi + 1]);
                var shared = 0; // common prefix with the last token walked (tokens skipped in between lower it)
                for (var j = from; j < to; j++)
                {
                    shared = Math.Min(shared, candidateLcp[j]);
                    var i = candidates[j];
                    var n = lengths[i + 1] - lengths[i];
                    if (n <= depth) continue; // decided by the similar position
                    if ((++_work & 4095) == 0 && overTime()) throw new GrammarException(timeMessage);
                    _walked++;
                    var token = vocab.TokenAt(i);
                    var reached = walker.Walk(token, shared);
                    shared = int.MaxValue;
                    if (reached < n)
                    {
                        // Died inside the token: rejected, and so is every later token with the same dead prefix
                        // (a shorter one equal to it sorts before). Jump past them; the next token's common prefix
                        // with the last skipped one is then its common prefix with this one.
                        if (skipDeadPrefixes && j + 1 < to && candidateLcp[j + 1] >= reached)
                            j = PastPrefix(candidates, j + 1, to, token[..reached]) - 1;
                        continue;
                    }
                    if (walker.Definite(n) > 0 || (walker.Flags(n) & StackRunner.ReachedContext) != 0)
                    {
                        var id = vocab.Order[i];
                        _accepted[id >> 5] |= 1u << (id & 31);
                    }
                    else if (walker.Count(n) > 0 || (walker.Flags(n) & StackRunner.ReachedSpeculativeEnd) != 0)
                        _uncertain.Add(i);
                }
            }
            if (_inherited.Count > 0) MergeSorted(_uncertain, _inherited);
            return TokenMaskEntry.Create(_accepted, _uncertain, vocab);
        }

        /// <summary>The first index in [<paramref name="lo"/>, <paramref name="hi"/>) whose token does not start
        /// with <paramref name="prefix"/>, given that those that do come first.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        int PastPrefix(int[] candidates, int lo, int hi, ReadOnlySpan<byte> prefix)
        {
            while (lo < hi)
            {
                var mid = (lo + hi) >>> 1;
                if (vocab.TokenAt(candidates[mid]).StartsWith(prefix)) lo = mid + 1;
                else hi = mid;
            }
            return lo;
        }

        static int LowerBound(int[] sorted, int value)
        {
            var i = Array.BinarySearch(sorted, value);
            return i < 0 ? ~i : i;
        }

        /// <summary>Merges ascending <paramref name="other"/> into ascending <paramref name="into"/>.</summary>
        static void MergeSorted(List<int> into, List<int> other)
        {
            var a = into.ToArray();
            into.Clear();
            int i = 0, j = 0;
            while (i < a.Length || j < other.Count)
                into.Add(j == other.Count || (i < a.Length && a[i] < other[j]) ? a[i++] : other[j++]);
        }
    }
}
