using Ponder.Tokenizers;

namespace Ponder.Grammars;

/// <summary>Compiles grammars for a tokenizer's vocabulary and caches the results by (grammar text, tokenizer):
/// compiling the same grammar twice for the same tokenizer returns the same <see cref="CompiledGrammar"/>.
/// Thread-safe.</summary>
public sealed class GrammarCompiler
{
    public GrammarCompiler(GrammarCompilerOptions? options = null) => Options = options ?? GrammarCompilerOptions.Default;

    /// <summary>A process-wide compiler with default options, for callers that have no compiler of their own.</summary>
    public static GrammarCompiler Shared { get; } = new();

    public GrammarCompilerOptions Options { get; }

    /// <summary>The byte automaton and token-mask cache of <paramref name="grammar"/> over <paramref name="tokenizer"/>'s
    /// vocabulary.</summary>
    /// <exception cref="GrammarException">The grammar exceeds <see cref="Options"/>' state or time cap.</exception>
    public CompiledGrammar Compile(Grammar grammar, Tokenizer tokenizer) => throw new NotImplementedException();

    /// <summary>Parses GBNF and compiles it; see <see cref="Grammar.Parse"/>.</summary>
    public CompiledGrammar Compile(string gbnf, Tokenizer tokenizer, string rootRule = "root") =>
        Compile(Grammar.Parse(gbnf, rootRule), tokenizer);
}
