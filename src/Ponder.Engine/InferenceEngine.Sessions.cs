using Ponder.Sampling;

namespace Ponder.Engine;

/// <summary>Sessions: persistent sequences driven turn by turn (see <see cref="SequenceSession"/>).
/// Every state change is queued to the loop thread, which owns all sequences.</summary>
public sealed partial class InferenceEngine
{
    /// <summary>Starts a paused session over <paramref name="prompt"/>; its prompt is prefilled by the first turn
    /// (full blocks may come from the prefix cache).</summary>
    /// <param name="constraint">Optional rule on everything the session generates or is appended after the prompt.</param>
    public SequenceSession StartSession(IReadOnlyList<int> prompt, SamplingParams? sampling = null, ITokenConstraint? constraint = null)
    {
        var request = new GenerationRequest { Prompt = prompt, Sampling = sampling ?? SamplingParams.Greedy, MaxTokens = 0, Constraint = constraint };
        Validate(request);
        var state = new RequestState { Request = request };
        var seq = NewSequence(state, 0, new List<int>(prompt), request.Sampling); // thread-safe: ids are taken atomically
        seq.Persistent = true;
        seq.State = SequenceState.Paused;
        var session = new SequenceSession(this, seq);
        Run(() => _paused.Add(seq));
        return session;
    }

    internal Task<GenerationResult> ContinueSession(SequenceSession session, int maxTokens, IReadOnlyList<string> stop,
        IReadOnlyList<int> append, CancellationToken ct)
    {
        if (maxTokens < 0) throw new ArgumentException($"max tokens {maxTokens} must not be negative");
        foreach (int t in append)
            if ((uint)t >= (uint)VocabSize) throw new ArgumentException($"token id {t} is outside the vocabulary (0..{VocabSize - 1})");
        var matcher = new StopMatcher(stop);
        var seq = session.Seq;
        var tcs = new TaskCompletionSource<RequestHandle>(TaskCreationOptions.RunContinuationsAsynchronously);
        Run(() =>
        {
            if (seq.State != SequenceState.Paused)
            {
                tcs.SetException(new InvalidOperationException("the session is busy with another turn or has been released"));
                return;
            }
            // Appended tokens are checked on a fork of the constraint, so a refused append changes nothing.
            var constraint = seq.Constraint?.Fork();
            foreach (int t in append)
                if (constraint != null && !constraint.Accept(t))
                {
                    tcs.SetException(new ArgumentException($"appended token {t} is not allowed by the session's output constraint"));
                    return;
                }
            if (seq.Tokens.Count + append.Count >= ContextLength)
            {
                tcs.SetException(new ContextOverflowException($"the session would hold {seq.Tokens.Count + append.Count} tokens; the context holds {ContextLength}"));
                return;
            }
            seq.Tokens.AddRange(append);
            seq.Constraint = constraint;
            var request = seq.Request.Request with { Prompt = seq.Tokens.ToArray(), MaxTokens = maxTokens, Stop = stop, N = 1 };
            var state = new RequestState { Request = request, Live = 1 };
            var handle = new RequestHandle(state, Wake);
            if (ct.CanBeCanceled) state.Registration = ct.Register(handle.Cancel);
            seq.Request = state;
            seq.Stop = matcher;
            seq.Generated = 0;
            _paused.Remove(seq);
            seq.State = SequenceState.Waiting;
            seq.PrefixLooked = seq.Computed > 0;
            _waiting.Add(seq);
            tcs.SetResult(handle);
        });
        return Collect(tcs.Task);

        // Awaiting (not .Result) hands the caller the turn's own exception, not an AggregateException.
        static async Task<GenerationResult> Collect(Task<RequestHandle> handle) => await (await handle).CollectAsync(CancellationToken.None);
    }

    internal Task<SequenceSession> ForkSession(SequenceSession session, ulong? seed)
    {
        var tcs = new TaskCompletionSource<SequenceSession>(TaskCreationOptions.RunContinuationsAsynchronously);
        Run(() =>
        {
            var parent = session.Seq;
            if (parent.State != SequenceState.Paused)
            {
                tcs.SetException(new InvalidOperationException("only a paused session can be forked (wait for its turn to end)"));
                return;
            }
            var sampler = parent.Sampler.Fork();
            if (seed is { } s) sampler.Reseed(s);
            var child = new Sequence
            {
                Id = Interlocked.Increment(ref _nextId),
                Request = parent.Request,
                Index = 0,
                Tokens = new List<int>(parent.Tokens),
                Sampler = sampler,
                Decoder = parent.Decoder?.Clone(),
                Stop = parent.Stop.Clone(),
                Constraint = parent.Constraint?.Fork(),
                Arrival = Interlocked.Increment(ref _arrival),
                Persistent = true,
                State = SequenceState.Paused,
                Computed = parent.Computed,
                PrefixLooked = true,
                Table = parent.Table.Fork(_pool),
            };
            _paused.Add(child);
            tcs.SetResult(new SequenceSession(this, child));
        });
        return tcs.Task;
    }

    internal void ReleaseSession(SequenceSession session) => Run(() =>
    {
        var s = session.Seq;
        s.Persistent = false;
        if (s.State == SequenceState.Paused)
        {
            s.Table.Release(_pool);
            _paused.Remove(s);
            s.State = SequenceState.Finished;
        }
        else if (s.State != SequenceState.Finished) s.Request.Cancelled = true; // mid-turn: cancel, which frees it
    });

    /// <summary>Runs <paramref name="action"/> on the loop thread before the next step.</summary>
    void Run(Action action)
    {
        _commands.Enqueue(action);
        Wake();
    }
}
