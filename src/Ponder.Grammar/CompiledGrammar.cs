using Ponder.Tokenizers;

namespace Ponder.Grammars;

/// <summary>A grammar compiled for one tokenizer: its byte-level pushdown automaton and the adaptive token-mask
/// cache. Immutable and shared by every <see cref="GrammarMatcher"/> made from it (any number of threads).</summary>
public sealed class CompiledGrammar
{
    public Grammar Grammar { get; }
    public Tokenizer Tokenizer { get; }
    public int VocabSize => Tokenizer.VocabSize;

    /// <summary>A matcher at the start of the grammar.</summary>
    /// <param name="maxRollbackTokens">How many accepted tokens <see cref="GrammarMatcher.Rollback"/> can undo.</param>
    public GrammarMatcher CreateMatcher(int maxRollbackTokens = GrammarMatcher.DefaultMaxRollbackTokens) => new(this, maxRollbackTokens);
}
