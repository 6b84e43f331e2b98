namespace Ponder.Sampling;

/// <summary>
/// A per-sequence rule on which token may come next: a grammar matcher, for one. The engine asks
/// for the mask before each sample (the sampler applies it), reports the token it drew, and forks
/// the constraint with the sequence, so n samples, sessions and search all carry their own state.
/// End-of-generation tokens are allowed by the mask only where the constraint may end.
/// </summary>
public interface ITokenConstraint
{
    /// <summary>Writes the allowed next tokens in <see cref="TokenBitmask"/> layout (every word is written).</summary>
    void FillNextTokenMask(Span<uint> bitmask);

    /// <summary>Advances over <paramref name="token"/>; false (and no change) if it is not allowed.</summary>
    bool Accept(int token);

    /// <summary>Undoes the last <paramref name="tokens"/> accepted tokens.</summary>
    void Rollback(int tokens);

    /// <summary>An independent copy in the same state.</summary>
    ITokenConstraint Fork();

    /// <summary>An end-of-generation token was accepted: nothing more may follow.</summary>
    bool IsTerminated { get; }
}
