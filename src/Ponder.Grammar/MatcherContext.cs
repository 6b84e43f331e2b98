namespace Ponder.Grammars;

/// <summary>What a matcher and its forks share: the stack arena (so forks share stacks) and the scratch buffers of
/// the runner. Everything here is used under a lock on the context, so forks may live on different threads.</summary>
sealed class MatcherContext
{
    public MatcherContext(CompiledGrammar grammar)
    {
        Grammar = grammar;
        Arena = new StackArena();
        Runner = new StackRunner(grammar.Automaton, Arena);
        Walker = new TrieWalker(Runner);
        Scratch = new uint[(grammar.VocabSize + 31) >> 5];
        InitialNodes = new IntBuffer();
        InitialFlags = Runner.Expand(Arena.Intern(grammar.Automaton.RuleStart[grammar.Automaton.RootRule], StackArena.Bottom), InitialNodes);
    }

    public CompiledGrammar Grammar { get; }
    public StackArena Arena { get; }
    public StackRunner Runner { get; }
    public TrieWalker Walker { get; }
    public IntBuffer Current { get; } = new();
    public IntBuffer Next { get; } = new();
    public uint[] Scratch { get; }
    public IntBuffer InitialNodes { get; }
    public int InitialFlags { get; }
    /// <summary>Context-dependent tokens accepted per stack set (the arena is shared, so forks share it too).</summary>
    public StackSetMaskCache SetCache { get; } = new();
    /// <summary>Entries already ORed into the mask being filled (stamped per fill).</summary>
    public Dictionary<TokenMaskEntry, int> Seen { get; } = new(ReferenceEqualityComparer.Instance);
}
