namespace Ponder.Grammars;

/// <summary>The grammar state of one sequence: which tokens may come next, and the tokens accepted so far.
/// Not thread-safe on its own; forks may be used on different threads.</summary>
public sealed class GrammarMatcher
{
    public const int DefaultMaxRollbackTokens = 256;

    public GrammarMatcher(CompiledGrammar grammar, int maxRollbackTokens = DefaultMaxRollbackTokens) => throw new NotImplementedException();

    public CompiledGrammar Grammar { get; }

    /// <summary>True once an end-of-generation token was accepted; nothing more is accepted after it.</summary>
    public bool IsTerminated { get; }

    /// <summary>True when the text so far is a complete string of the grammar (end-of-generation is allowed now).</summary>
    public bool CanTerminate { get; }

    /// <summary>Advances by one token. False, and no change, when the grammar does not allow it here.</summary>
    public bool Accept(int token) => throw new NotImplementedException();

    /// <summary>Advances by raw bytes (counted as one step for <see cref="Rollback"/>). False, and no change, when
    /// the bytes do not continue a string of the grammar.</summary>
    public bool AcceptBytes(ReadOnlySpan<byte> bytes) => throw new NotImplementedException();

    /// <summary>Advances by the UTF-8 bytes of <paramref name="text"/>; see <see cref="AcceptBytes"/>.</summary>
    public bool AcceptString(string text) => AcceptBytes(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Writes the allowed next tokens in <see cref="Ponder.Sampling.TokenBitmask"/>'s layout (bit t of
    /// word t/32). End-of-generation tokens are allowed only where the grammar may end; other control tokens never.</summary>
    public void FillNextTokenMask(Span<uint> bitmask) => throw new NotImplementedException();

    /// <summary>Undoes the last <paramref name="tokens"/> accepted steps.</summary>
    /// <exception cref="ArgumentOutOfRangeException">More than were accepted, or beyond the rollback window.</exception>
    public void Rollback(int tokens) => throw new NotImplementedException();

    /// <summary>An independent matcher in the same state (sharing stacks, so cheap).</summary>
    public GrammarMatcher Fork() => throw new NotImplementedException();

    /// <summary>Back to the start of the grammar.</summary>
    public void Reset() => throw new NotImplementedException();
}
