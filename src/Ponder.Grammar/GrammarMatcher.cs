using System.Runtime.CompilerServices;
using Ponder.Sampling;

namespace Ponder.Grammars;

/// <summary>The grammar state of one sequence: which tokens may come next, and the tokens accepted so far
/// (a set of persistent stacks over the compiled automaton). One sequence per matcher; forks share stacks with
/// their parent and may be used on other threads.</summary>
public sealed class GrammarMatcher : ITokenConstraint
{
    public const int DefaultMaxRollbackTokens = 256;

    const byte CanTerminateFlag = 1;
    const byte TerminatedFlag = 2;

    readonly MatcherContext _ctx;
    readonly MatcherHistory _history;

    public GrammarMatcher(CompiledGrammar grammar, int maxRollbackTokens = DefaultMaxRollbackTokens)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRollbackTokens);
        Grammar = grammar;
        MaxRollbackTokens = maxRollbackTokens;
        _ctx = new MatcherContext(grammar);
        _history = new MatcherHistory(maxRollbackTokens);
        Reset();
    }

    GrammarMatcher(GrammarMatcher parent)
    {
        Grammar = parent.Grammar;
        MaxRollbackTokens = parent.MaxRollbackTokens;
        _ctx = parent._ctx;
        lock (_ctx) _history = parent._history.Clone();
    }

    public CompiledGrammar Grammar { get; }

    public int MaxRollbackTokens { get; }

    /// <summary>True once an end-of-generation token was accepted; nothing more is accepted after it.</summary>
    public bool IsTerminated => (_history.CurrentFlags & TerminatedFlag) != 0;

    /// <summary>True when the text so far is a complete string of the grammar (end-of-generation is allowed now).</summary>
    public bool CanTerminate => (_history.CurrentFlags & (CanTerminateFlag | TerminatedFlag)) == CanTerminateFlag;

    /// <summary>Stacks in the current state (diagnostics: the run-time mask cost grows with it).</summary>
    internal int StackCount => _history.CurrentNodes.Length;

    /// <summary>What the last <see cref="FillNextTokenMask"/> did (diagnostics for the benchmark).</summary>
    internal FillStats LastFill;

    internal struct FillStats
    {
        public int Stacks, Entries, Uncertain, Walked, Accepted;
        public long Steps, Visits, NodesMade;
        public bool Cached;
    }

    /// <summary>The current stacks as rule names from the top down, with each top's context-dependent tokens (diagnostics).</summary>
    internal string DescribeStacks()
    {
        var sb = new System.Text.StringBuilder();
        var pda = Grammar.Automaton;
        lock (_ctx)
            foreach (var n in _history.CurrentNodes)
            {
                var e = Grammar.MaskCache.EntryOfState[_ctx.Arena.State(n)]!;
                sb.Append("    [");
                for (var p = n; p >= 0; p = _ctx.Arena.Parent(p)) sb.Append(pda.RuleNames[pda.RuleOf[_ctx.Arena.State(p)]]).Append(' ');
                sb.Append("] uncertain ").Append(e.Uncertain.Length).Append(':');
                foreach (var i in e.Uncertain.Take(12)) sb.Append(" «").Append(System.Text.Encoding.UTF8.GetString(Grammar.Vocabulary.TokenAt(i))).Append('»');
                sb.AppendLine();
            }
        return sb.ToString();
    }

    /// <summary>How many accepted steps <see cref="Rollback"/> can undo now.</summary>
    public int RollbackAvailable => _history.Undoable;

    /// <summary>Advances by one token. False, and no change, when the grammar does not allow it here.</summary>
    public bool Accept(int token)
    {
        var vocab = Grammar.Vocabulary;
        if ((uint)token >= (uint)vocab.VocabSize || IsTerminated) return false;
        lock (_ctx)
        {
            if (Array.IndexOf(vocab.EndOfGeneration, token) >= 0)
            {
                if (!CanTerminate) return false;
                _ctx.Current.Clear();
                _history.Push(_ctx.Current.Span, CanTerminateFlag | TerminatedFlag);
                return true;
            }
            var idx = vocab.SortedIndexOf[token];
            return idx >= 0 && AcceptCore(vocab.TokenAt(idx));
        }
    }

    /// <summary>Advances by raw bytes (counted as one step for <see cref="Rollback"/>). False, and no change, when
    /// the bytes do not continue a string of the grammar.</summary>
    public bool AcceptBytes(ReadOnlySpan<byte> bytes)
    {
        if (IsTerminated) return false;
        lock (_ctx) return AcceptCore(bytes);
    }

    /// <summary>Advances by the UTF-8 bytes of <paramref name="text"/>; see <see cref="AcceptBytes"/>.</summary>
    public bool AcceptString(string text) => AcceptBytes(System.Text.Encoding.UTF8.GetBytes(text));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    bool AcceptCore(ReadOnlySpan<byte> bytes)
    {
        var arena = _ctx.Arena;
        var mark = arena.Count;
        var cur = _ctx.Current;
        var next = _ctx.Next;
        cur.Clear();
        cur.AddRange(_history.CurrentNodes);
        var canEnd = _history.CurrentFlags & CanTerminateFlag;
        for (var i = 0; i < bytes.Length; i++)
        {
            next.Clear();
            var flags = _ctx.Runner.Step(cur.Span, bytes[i], next);
            (cur, next) = (next, cur);
            canEnd = (flags & StackRunner.ReachedBottom) != 0 ? CanTerminateFlag : 0;
            // An emptied stack set may still have ended the grammar, but only at the last byte.
            if (cur.Count == 0 && (i < bytes.Length - 1 || canEnd == 0))
            {
                arena.Truncate(mark);
                return false;
            }
        }
        _history.Push(cur.Span, (byte)canEnd);
        return true;
    }

    /// <summary>Writes the allowed next tokens in <see cref="TokenBitmask"/>'s layout (bit t of word t/32).
    /// End-of-generation tokens are allowed only where the grammar may end; other control tokens never. After
    /// termination only end-of-generation tokens are allowed, so a sampler that keeps going repeats the end.</summary>
    public void FillNextTokenMask(Span<uint> bitmask)
    {
        var g = Grammar;
        var words = TokenBitmask.WordCount(g.VocabSize);
        if (bitmask.Length < words)
            throw new ArgumentException($"The mask has {bitmask.Length} words but a vocabulary of {g.VocabSize} needs {words}", nameof(bitmask));
        bitmask.Clear();
        if (!IsTerminated)
        {
            lock (_ctx) FillCore(bitmask[..words]);
        }
        if (CanTerminate || IsTerminated)
            foreach (var id in g.Vocabulary.EndOfGeneration) TokenBitmask.Allow(bitmask, id);
    }

    // Optimised from the first call, like the walk it runs: tiering waits for a quiet spell in the JIT, which a
    // server handling its first requests may not have for a while, and left the first hundreds of masks slow.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void FillCore(Span<uint> mask)
    {
        var g = Grammar;
        var cache = g.MaskCache;
        var vocab = g.Vocabulary;
        var arena = _ctx.Arena;
        var nodes = _ctx.Current;
        nodes.Clear();
        nodes.AddRange(_history.CurrentNodes);
        var seen = _ctx.Seen;
        seen.Clear();
        LastFill = default;
        LastFill.Stacks = nodes.Count;
        foreach (var n in nodes.Span)
        {
            var entry = cache.EntryOfState[arena.State(n)]!;
            LastFill.Uncertain += entry.Uncertain.Length;
            if (seen.TryAdd(entry, 0)) entry.OrInto(mask, _ctx.Scratch, g.VocabSize);
        }
        LastFill.Entries = seen.Count;
        if (LastFill.Uncertain == 0) return;
        // The walk below depends only on the stack set: replay it when this set was walked before.
        var sets = _ctx.SetCache;
        var hash = StackSetMaskCache.Hash(nodes.Span);
        if (sets.TryGet(hash, nodes.Span, out var cached))
        {
            foreach (var id in cached) mask[id >> 5] |= 1u << (id & 31);
            LastFill.Cached = true;
            return;
        }
        var record = sets.Begin(hash, nodes.Span);
        var mark = arena.Count;
        var (steps0, visits0) = (_ctx.Runner.Steps, _ctx.Runner.Visits);
        var walker = _ctx.Walker;
        foreach (var n in nodes.Span)
        {
            var entry = cache.EntryOfState[arena.State(n)]!;
            var unc = entry.Uncertain;
            if (unc.Length == 0) continue;
            walker.Reset(n);
            var shared = 0; // common prefix with the last token walked
            var dead = int.MaxValue; // bytes after which the last token walked died: later tokens with that prefix die too
            for (var j = 0; j < unc.Length; j++)
            {
                shared = Math.Min(shared, entry.UncertainLcp[j]);
                if (shared >= dead) continue;
                var idx = unc[j];
                var id = vocab.Order[idx];
                if ((mask[id >> 5] & (1u << (id & 31))) != 0) continue;
                var token = vocab.TokenAt(idx);
                var reached = walker.Walk(token, shared);
                LastFill.Walked++;
                shared = int.MaxValue;
                var alive = walker.Count(reached) > 0; // no stack left after these bytes: nothing longer survives
                dead = alive ? int.MaxValue : reached;
                if (reached == token.Length && (alive || (walker.Flags(reached) & StackRunner.ReachedBottom) != 0))
                {
                    mask[id >> 5] |= 1u << (id & 31);
                    if (record) sets.AddToken(id);
                    LastFill.Accepted++;
                }
            }
        }
        if (record) sets.Commit(hash);
        LastFill.NodesMade = arena.Count - mark;
        arena.Truncate(mark);
        LastFill.Steps = _ctx.Runner.Steps - steps0;
        LastFill.Visits = _ctx.Runner.Visits - visits0;
    }

    /// <summary>A shortest byte string that makes the text so far a complete string of the grammar (empty when it may
    /// end now or has ended). What <see cref="TokenBudgetMatcher"/> steers to when the tokens left run short.</summary>
    public byte[] ShortestCompletion()
    {
        var bytes = new List<byte>();
        ShortestCompletion(bytes);
        return bytes.ToArray();
    }

    /// <summary><see cref="ShortestCompletion()"/> written into <paramref name="into"/> (cleared first), for callers
    /// that ask every step and keep one buffer.</summary>
    internal void ShortestCompletion(List<byte> into)
    {
        into.Clear();
        if (CanTerminate || IsTerminated) return;
        var lengths = Grammar.CompletionLengths;
        lock (_ctx)
        {
            var arena = _ctx.Arena;
            int best = -1;
            long bestBytes = long.MaxValue;
            foreach (var n in _history.CurrentNodes)
            {
                var b = lengths.StackBytes(arena, n);
                if (b < bestBytes) (best, bestBytes) = (n, b);
            }
            if (best >= 0) lengths.AppendShortest(arena, best, into, _ctx.Next);
        }
    }

    /// <summary>The length of <see cref="ShortestCompletion"/> without building it (a few additions per stack frame).</summary>
    public long ShortestCompletionLength()
    {
        if (CanTerminate || IsTerminated) return 0;
        var lengths = Grammar.CompletionLengths;
        lock (_ctx)
        {
            long best = long.MaxValue;
            foreach (var n in _history.CurrentNodes) best = Math.Min(best, lengths.StackBytes(_ctx.Arena, n));
            return best == long.MaxValue ? 0 : best;
        }
    }

    /// <summary>Undoes the last <paramref name="tokens"/> accepted steps (tokens, or byte strings given to
    /// <see cref="AcceptBytes"/>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">More than <see cref="RollbackAvailable"/>.</exception>
    public void Rollback(int tokens)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tokens);
        if (tokens > _history.Undoable)
            throw new ArgumentOutOfRangeException(nameof(tokens),
                $"Cannot roll back {tokens} steps: only {_history.Undoable} are kept (matcher made with maxRollbackTokens = {MaxRollbackTokens})");
        _history.Pop(tokens);
    }

    /// <summary>An independent matcher in the same state; stacks are shared, so this is cheap.</summary>
    public GrammarMatcher Fork() => new(this);

    ITokenConstraint ITokenConstraint.Fork() => Fork();

    /// <summary>Back to the start of the grammar (the rollback history is dropped).</summary>
    public void Reset()
    {
        lock (_ctx)
        {
            _history.Clear();
            _history.Push(_ctx.InitialNodes.Span, (_ctx.InitialFlags & StackRunner.ReachedBottom) != 0 ? CanTerminateFlag : (byte)0);
        }
    }
}
