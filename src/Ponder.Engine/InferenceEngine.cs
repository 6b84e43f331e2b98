using System.Collections.Concurrent;
using Ponder.Engine.KvCache;
using Ponder.Models;
using Ponder.Sampling;

namespace Ponder.Engine;

/// <summary>
/// Continuous batching over one model. A single loop thread owns every sequence and the KV block
/// pool; each step it plans (decode tokens first, then prefill chunks under the token budget,
/// preempting the newest sequence when blocks run out), runs one forward pass over all planned
/// tokens, samples, streams the tokens out and frees finished sequences. Requests join and
/// leave between steps; <see cref="Submit"/> and <see cref="RequestHandle.Cancel"/> are thread-safe.
/// </summary>
public sealed partial class InferenceEngine : IDisposable
{
    private readonly Transformer _model;
    private readonly ITokenText? _text;
    private readonly EngineOptions _o;
    private readonly KvArena _arena;
    private readonly KvBlockPool _pool;
    private readonly ConcurrentQueue<RequestState> _incoming = new();
    private readonly SemaphoreSlim _signal = new(0);
    private readonly List<Sequence> _waiting = new();
    private readonly List<Sequence> _running = new();
    private readonly List<Sequence> _paused = new();
    private readonly List<RequestState> _ended = new(); // finished this step, completed once Stats is published
    private readonly ConcurrentQueue<Action> _commands = new();
    private readonly Thread _loop;
    private readonly CancellationTokenSource _stop = new();
    private readonly StepBuffers _buf = new();
    private long _nextId, _arrival, _steps, _forwardTokens, _promptComputed, _promptCached, _generated, _preemptions;
    private int _peakUsed;
    private volatile EngineStats _stats;

    public Transformer Model => _model;
    public EngineOptions Options => _o;
    public int VocabSize => _model.Config.VocabSize;
    public int ContextLength => _model.Config.ContextLength;
    public EngineStats Stats => _stats;

    public InferenceEngine(Transformer model, ITokenText? text, EngineOptions? options = null)
    {
        _o = options ?? new EngineOptions();
        _o.Validate();
        _model = model;
        _text = text;
        long blockBytes = KvArena.BytesPerBlock(model.Config, _o.BlockTokens);
        int blocks = _o.KvTokens > 0
            ? (_o.KvTokens + _o.BlockTokens - 1) / _o.BlockTokens
            : (int)Math.Min(int.MaxValue, _o.KvMemoryBytes / blockBytes);
        if (blocks < 1)
            throw new ArgumentException($"KV memory {_o.KvMemoryBytes} bytes is less than one block ({blockBytes} bytes)");
        _arena = new KvArena(model.Config, _o.BlockTokens, blocks);
        _pool = new KvBlockPool(blocks, _o.BlockTokens);
        _stats = Snapshot();
        _loop = new Thread(Loop) { IsBackground = true, Name = "ponder-engine" };
        _loop.Start();
    }

    /// <summary>Queues a request; its events start flowing at the next step.</summary>
    public RequestHandle Submit(GenerationRequest request, CancellationToken ct = default)
    {
        Validate(request);
        var state = new RequestState { Request = request };
        var handle = new RequestHandle(state, Wake);
        if (ct.CanBeCanceled) state.Registration = ct.Register(handle.Cancel);
        _incoming.Enqueue(state);
        Wake();
        return handle;
    }

    /// <summary>Convenience: submit and collect the whole result.</summary>
    public Task<GenerationResult> GenerateAsync(GenerationRequest request, CancellationToken ct = default) =>
        Submit(request, ct).CollectAsync(CancellationToken.None);

    void Validate(GenerationRequest r)
    {
        if (r.Prompt.Count == 0) throw new ArgumentException("the prompt is empty; give at least one token");
        if (r.N < 1 || r.N > _o.MaxN) throw new ArgumentException($"n = {r.N} must be between 1 and {_o.MaxN}");
        if (r.MaxTokens < 0) throw new ArgumentException($"max tokens {r.MaxTokens} must not be negative");
        if (r.Prompt.Count >= ContextLength)
            throw new ContextOverflowException($"the prompt has {r.Prompt.Count} tokens; the context holds {ContextLength}, leaving no room to generate");
        int blocksForPrompt = (r.Prompt.Count + _o.BlockTokens) / _o.BlockTokens;
        if (blocksForPrompt > _pool.Count)
            throw new ContextOverflowException($"the prompt needs {blocksForPrompt} KV blocks but the cache has {_pool.Count}; raise --kv-memory");
        foreach (int t in r.Prompt)
            if ((uint)t >= (uint)VocabSize) throw new ArgumentException($"token id {t} is outside the vocabulary (0..{VocabSize - 1})");
        r.Sampling.Validate();
        _ = new StopMatcher(r.Stop);
    }

    void Wake() => _signal.Release();

    void Loop()
    {
        var ct = _stop.Token;
        while (!ct.IsCancellationRequested)
        {
            bool busy;
            try
            {
                busy = Step();
            }
            catch (Exception e)
            {
                FailAll(e);
                busy = false;
            }
            if (!busy)
            {
                try { _signal.Wait(ct); } catch (OperationCanceledException) { break; }
            }
        }
        FailAll(new OperationCanceledException("the engine was stopped"));
    }

    /// <summary>One engine step. Returns false when there was nothing to do.</summary>
    bool Step()
    {
        while (_commands.TryDequeue(out var command)) command();
        Admit();
        ReapCancelled();
        var plan = Plan();
        if (plan.Count == 0)
        {
            PublishAndCompleteEnded();
            return _waiting.Count > 0 && _running.Count > 0;
        }
        Execute(plan);
        _steps++;
        AfterStep?.Invoke(_pool);
        _peakUsed = Math.Max(_peakUsed, _pool.Count - _pool.Available);
        PublishAndCompleteEnded();
        return true;
    }

    void Admit()
    {
        while (_incoming.TryDequeue(out var r))
        {
            var req = r.Request;
            r.Live = req.N;
            var seq = NewSequence(r, 0, new List<int>(req.Prompt), SeedFor(req, 0));
            seq.PendingForks = req.N - 1;
            _waiting.Add(seq);
        }
    }

    Sequence NewSequence(RequestState r, int index, List<int> tokens, SamplingParams sampling) => new()
    {
        Id = Interlocked.Increment(ref _nextId),
        Request = r,
        Index = index,
        Tokens = tokens,
        Sampler = new Sampler(sampling, VocabSize),
        Decoder = _text?.NewDecoder(),
        Stop = new StopMatcher(r.Request.Stop),
        Constraint = r.Request.Constraint?.Fork(),
        Arrival = Interlocked.Increment(ref _arrival),
    };

    static SamplingParams SeedFor(GenerationRequest r, int index) =>
        r.Sampling.Seed is { } s ? r.Sampling with { Seed = Sampler.DeriveSeed(s, index) } : r.Sampling;

    void ReapCancelled()
    {
        for (int i = _running.Count - 1; i >= 0; i--)
            if (_running[i].Request.Cancelled) Finish(_running[i], FinishReason.Cancelled);
        for (int i = _waiting.Count - 1; i >= 0; i--)
            if (_waiting[i].Request.Cancelled) Finish(_waiting[i], FinishReason.Cancelled);
    }

    EngineStats Snapshot()
    {
        var kv = _pool.Stats;
        return new EngineStats(kv, _peakUsed, _steps, _forwardTokens, _promptComputed, _promptCached, _generated,
            _preemptions, _running.Count, _waiting.Count + _incoming.Count, _paused.Count);
    }

    /// <summary>Test hook run on the loop thread after every step (invariant checks).</summary>
    internal Action<KvBlockPool>? AfterStep { get; set; }

    /// <summary>Forgets the peak-block counter (benchmarks measure one phase at a time).</summary>
    public void ResetPeak() => _peakUsed = 0;

    void FailAll(Exception e)
    {
        foreach (var s in _running.ToArray()) Finish(s, FinishReason.Error, e.Message);
        foreach (var s in _waiting.ToArray()) Finish(s, FinishReason.Error, e.Message);
        foreach (var s in _paused.ToArray()) { s.Table.Release(_pool); _paused.Remove(s); s.State = SequenceState.Finished; }
        while (_commands.TryDequeue(out var command)) command();
        PublishAndCompleteEnded();
        while (_incoming.TryDequeue(out var r))
        {
            r.Events.Writer.TryComplete();
            r.Done.TrySetException(e);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        if (_loop.IsAlive) _loop.Join();
        _arena.Dispose();
    }
}
