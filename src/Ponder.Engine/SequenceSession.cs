using Ponder.Sampling;

namespace Ponder.Engine;

/// <summary>
/// A sequence that lives across generation turns, for search strategies: it keeps its KV blocks
/// while paused, continues from where it stopped, and forks into copies that share its KV
/// (copy-on-write) together with its sampler state (RNG, penalty history), stop state and
/// detokenizer state. Dispose releases its blocks. Operations run on the engine's loop thread.
/// </summary>
public sealed class SequenceSession : IDisposable
{
    private readonly InferenceEngine _engine;
    internal Sequence Seq { get; }
    private int _disposed;

    internal SequenceSession(InferenceEngine engine, Sequence seq)
    {
        _engine = engine;
        Seq = seq;
    }

    /// <summary>Every token of the sequence so far (prompt, appended and generated). Read between turns only.</summary>
    public IReadOnlyList<int> Tokens => Seq.Tokens;

    /// <summary>The seed of the session's sampler (derived per fork when forks are reseeded).</summary>
    public ulong Seed => Seq.Sampler.Seed;

    /// <summary>Appends <paramref name="append"/> (may be empty), then generates up to
    /// <paramref name="maxTokens"/> tokens or until a stop string or end-of-generation; the sequence then
    /// pauses with its KV. The result's usage counts this turn only.</summary>
    public Task<GenerationResult> ContinueAsync(int maxTokens, IReadOnlyList<string>? stop = null,
        IReadOnlyList<int>? append = null, CancellationToken ct = default) =>
        _engine.ContinueSession(this, maxTokens, stop ?? [], append ?? [], ct);

    /// <summary>A new session sharing this one's KV and state. With <paramref name="seed"/> the copy's
    /// sampler is reseeded (so forks sample differently); without, it replays the same random stream.</summary>
    public Task<SequenceSession> ForkAsync(ulong? seed = null) => _engine.ForkSession(this, seed);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0) _engine.ReleaseSession(this);
    }
}
