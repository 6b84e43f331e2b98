using Ponder.Engine.KvCache;
using Ponder.Sampling;

namespace Ponder.Engine;

internal enum SequenceState { Waiting, Running, Paused, Finished }

/// <summary>
/// One token stream inside the engine. The scheduling rule is the same for every phase: the
/// sequence wants KV for all of <see cref="Tokens"/>; <see cref="Computed"/> says how many have it.
/// Prefill is many pending tokens, decode is one, a prefix-cache hit starts Computed above zero,
/// and preemption sets it back to zero (the tokens are kept and recomputed later).
/// </summary>
internal sealed class Sequence
{
    public required long Id { get; init; }
    /// <summary>The request (or, for a session, the current turn) this sequence reports to.</summary>
    public required RequestState Request { get; set; }
    public required int Index { get; init; }
    public required List<int> Tokens { get; init; }
    public required Sampler Sampler { get; set; }
    public required IPieceDecoder? Decoder { get; set; }
    public required StopMatcher Stop { get; set; }
    /// <summary>The output rule's state for this sequence (null: unconstrained).</summary>
    public ITokenConstraint? Constraint { get; set; }
    /// <summary>A session's sequence: it pauses with its KV when a turn ends instead of being freed.</summary>
    public bool Persistent { get; set; }
    public KvBlockTable Table { get; set; } = new();
    public int Computed { get; set; }
    public int Generated { get; set; }
    /// <summary>Order of admission; the newest running sequence is preempted first.</summary>
    public long Arrival { get; set; }
    public SequenceState State { get; set; } = SequenceState.Waiting;
    /// <summary>The step already tried the prefix cache for this (re)start.</summary>
    public bool PrefixLooked { get; set; }
    /// <summary>Sequences still to fork from this one when its first token is sampled (n &gt; 1).</summary>
    public int PendingForks { get; set; }
    public double LogprobSum { get; set; }
    /// <summary>The step that last planned this sequence (so a step never plans or preempts it twice).</summary>
    public long PlannedStep { get; set; } = -1;

    public int Pending => Tokens.Count - Computed;
}
