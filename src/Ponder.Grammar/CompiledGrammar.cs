using Ponder.Tokenizers;

namespace Ponder.Grammars;

/// <summary>A grammar compiled for one tokenizer: its byte-level pushdown automaton and the adaptive token-mask
/// cache. Immutable and shared by every <see cref="GrammarMatcher"/> made from it (any number of threads).</summary>
public sealed class CompiledGrammar
{
    internal CompiledGrammar(Grammar grammar, Tokenizer tokenizer, PushdownAutomaton automaton, SortedVocabulary vocabulary,
        TokenMaskCache maskCache, TimeSpan compileTime)
    {
        Grammar = grammar;
        Tokenizer = tokenizer;
        Automaton = automaton;
        Vocabulary = vocabulary;
        MaskCache = maskCache;
        CompileTime = compileTime;
        var uncertain = 0L;
        var entries = new HashSet<TokenMaskEntry>(ReferenceEqualityComparer.Instance);
        foreach (var e in maskCache.EntryOfState)
            if (e != null && entries.Add(e)) uncertain += e.Uncertain.Length;
        ContextDependentTokens = uncertain;
    }

    public Grammar Grammar { get; }
    public Tokenizer Tokenizer { get; }
    public int VocabSize => Vocabulary.VocabSize;

    /// <summary>States of the byte automaton.</summary>
    public int StateCount => Automaton.StateCount;

    /// <summary>Distinct cached masks (positions with the same outgoing edges share one).</summary>
    public int MaskCacheEntries => MaskCache.EntryCount;

    /// <summary>Context-dependent tokens summed over the cached masks: the ones checked against the stack at run time.</summary>
    public long ContextDependentTokens { get; }

    /// <summary>Tokens the mask precompute stepped through the automaton (diagnostics: compile work without the
    /// noise of wall time).</summary>
    internal long MaskTokensWalked => MaskCache.TokensWalked;

    /// <summary>Wall time the compilation took (automaton plus mask cache).</summary>
    public TimeSpan CompileTime { get; }

    internal PushdownAutomaton Automaton { get; }
    internal SortedVocabulary Vocabulary { get; }
    internal TokenMaskCache MaskCache { get; }

    /// <summary>Fewest bytes to finish each state's rule; computed on first use (only token budgets need it).</summary>
    internal CompletionLengths CompletionLengths => LazyInitializer.EnsureInitialized(ref _completionLengths, () => new CompletionLengths(Automaton));

    CompletionLengths? _completionLengths;

    /// <summary>A matcher at the start of the grammar.</summary>
    /// <param name="maxRollbackTokens">How many accepted tokens <see cref="GrammarMatcher.Rollback"/> can undo.</param>
    public GrammarMatcher CreateMatcher(int maxRollbackTokens = GrammarMatcher.DefaultMaxRollbackTokens) => new(this, maxRollbackTokens);
}
