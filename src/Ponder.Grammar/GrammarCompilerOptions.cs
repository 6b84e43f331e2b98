namespace Ponder.Grammars;

/// <summary>Caps that keep compilation bounded: a grammar that needs more gets a <see cref="GrammarException"/>,
/// never a hang or an out-of-memory.</summary>
public sealed record GrammarCompilerOptions
{
    public static GrammarCompilerOptions Default { get; } = new();

    /// <summary>Most byte-automaton states the whole grammar may compile to.</summary>
    public int MaxStates { get; init; } = 250_000;

    /// <summary>Longest a single compilation (automaton plus token-mask cache) may take.</summary>
    public TimeSpan MaxCompileTime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Non-recursive rules up to this many automaton states are inlined into their callers, so tokens that
    /// run past the end of small rules (a character, whitespace, a string) stay context-independent in the mask cache.</summary>
    public int InlineStateLimit { get; init; } = 400;

    /// <summary>Compiled grammars kept per compiler (least recently used dropped first).</summary>
    public int CacheCapacity { get; init; } = 64;
}
