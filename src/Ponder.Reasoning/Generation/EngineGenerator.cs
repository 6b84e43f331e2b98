using Ponder.Engine;
using Ponder.Models;
using Ponder.Sampling;
using Ponder.Tokenizers;

namespace Ponder.Reasoning.Generation;

/// <summary>
/// The in-process <see cref="IGenerator"/>: whole solutions are one n-sample request (prompt prefilled
/// once, forked at the first token); step-level search runs on engine sessions that pause with their
/// KV after each step and fork copy-on-write. Every fork of a round is continued before any is
/// awaited, so the engine's continuous batching advances them together. Token counts go to the
/// ledger from the engine's own per-request usage. One generator per problem run (its ledger is the run's).
/// </summary>
public sealed class EngineGenerator : IGenerator
{
    readonly InferenceEngine _engine;
    readonly Tokenizer _tok;
    readonly ModelConfig _config;

    public EngineGenerator(InferenceEngine engine, Tokenizer tokenizer, ComputeLedger? ledger = null)
    {
        _engine = engine;
        _tok = tokenizer;
        _config = engine.Model.Config;
        Ledger = ledger ?? new ComputeLedger();
    }

    public ComputeLedger Ledger { get; }
    public InferenceEngine Engine => _engine;

    static SamplingParams Sampling(float temperature, ulong seed) => temperature <= 0
        ? SamplingParams.Greedy with { Logprobs = true }
        : new SamplingParams { Temperature = temperature, Seed = seed, Logprobs = true };

    public async Task<IReadOnlyList<Completion>> SampleAsync(string prompt, int n, SampleSettings settings, CancellationToken ct = default)
    {
        var ids = _tok.Encode(prompt);
        var handle = _engine.Submit(new GenerationRequest
        {
            Prompt = ids, N = n, MaxTokens = settings.MaxTokens, Sampling = Sampling(settings.Temperature, settings.Seed),
        }, ct);
        var tokens = new List<int>[n];
        var texts = new System.Text.StringBuilder[n];
        var logprob = new double[n];
        var finish = new FinishReason[n];
        for (int i = 0; i < n; i++) { tokens[i] = new(); texts[i] = new(); }
        bool cancelled = false;
        string? error = null;
        // Read every event to the end, even after a cancel: the usage then matches what was streamed.
        await foreach (var e in handle.Events(CancellationToken.None).ConfigureAwait(false))
        {
            texts[e.Index].Append(e.Text);
            if (e.Finish is { } f)
            {
                finish[e.Index] = f;
                error ??= e.Error;
                if (settings.StopAtFirstFinish && f == FinishReason.Stop && !cancelled) { cancelled = true; handle.Cancel(); }
                continue;
            }
            tokens[e.Index].Add(e.Token);
            logprob[e.Index] += e.Logprob;
        }
        var usage = await handle.Usage.ConfigureAwait(false);
        if (error != null && !ct.IsCancellationRequested) throw new PonderException(error);
        ct.ThrowIfCancellationRequested();
        var lengths = new int[n];
        var result = new Completion[n];
        for (int i = 0; i < n; i++)
        {
            lengths[i] = tokens[i].Count;
            result[i] = new Completion(texts[i].ToString(), lengths[i], lengths[i] == 0 ? 0 : logprob[i] / lengths[i],
                finish[i] == FinishReason.Stop, finish[i]);
        }
        Ledger.AddPolicy(_config, ids.Length, usage.PromptTokensComputed, usage.CachedPromptTokens, lengths);
        return result;
    }

    public async Task<IPartial> StartAsync(string prompt, StepSettings settings, CancellationToken ct = default)
    {
        var ids = _tok.Encode(prompt);
        var sampling = Sampling(settings.Temperature, settings.Seed);
        if (ids.Length < 2) return new Partial(_engine.StartSession(ids, sampling), [], settings, [], 0, 0);
        // Prefill all but the last prompt token once; each fork then computes that token itself and
        // samples its own first token (a session always needs one pending token to produce logits).
        var session = _engine.StartSession(ids[..^1], sampling);
        var r = await session.ContinueAsync(0, ct: ct).ConfigureAwait(false);
        if (r.Error != null) { session.Dispose(); throw new PonderException(r.Error); }
        Ledger.AddPolicy(_config, ids.Length - 1, r.Usage.PromptTokensComputed, r.Usage.CachedPromptTokens, [0]);
        return new Partial(session, [ids[^1]], settings, [], 0, 0);
    }

    public async Task<IReadOnlyList<IPartial>> ExtendAsync(IReadOnlyList<StepRequest> requests, CancellationToken ct = default)
    {
        var parents = new Partial[requests.Count];
        var forks = new Task<SequenceSession>[requests.Count];
        for (int i = 0; i < requests.Count; i++)
        {
            parents[i] = requests[i].From as Partial ?? throw new ArgumentException("the partial was not made by this generator");
            if (parents[i].Done) throw new InvalidOperationException("a finished partial cannot be extended");
            forks[i] = parents[i].Session.ForkAsync(requests[i].Seed);
        }
        var sessions = await Task.WhenAll(forks).ConfigureAwait(false);
        var turns = new Task<GenerationResult>[sessions.Length];
        var context = new int[sessions.Length];
        for (int i = 0; i < sessions.Length; i++)
        {
            var p = parents[i];
            context[i] = sessions[i].Tokens.Count + p.Pending.Length;
            turns[i] = sessions[i].ContinueAsync(p.Settings.MaxStepTokens, [p.Settings.Separator], p.Pending, ct);
        }
        GenerationResult[] results;
        try
        {
            results = await Task.WhenAll(turns).ConfigureAwait(false);
        }
        catch
        {
            foreach (var s in sessions) s.Dispose();
            throw;
        }
        var children = new IPartial[sessions.Length];
        for (int i = 0; i < sessions.Length; i++)
        {
            var r = results[i];
            var seq = r.Sequences[0];
            Ledger.AddPolicy(_config, context[i], r.Usage.PromptTokensComputed, r.Usage.CachedPromptTokens, [seq.Tokens.Length], continuedSession: true);
            if (r.Error != null || seq.Finish is FinishReason.Error or FinishReason.Cancelled)
            {
                foreach (var s in sessions) s.Dispose();
                ct.ThrowIfCancellationRequested();
                throw new PonderException(r.Error ?? "a step was cancelled");
            }
            var p = parents[i];
            bool endOfText = seq.Tokens.Length > 0 && _tok.IsEndOfGeneration(seq.Tokens[^1]);
            string text = seq.Text;
            var steps = new List<string>(p.Steps) { text };
            bool final = endOfText || p.Settings.IsFinalStep(text);
            bool done = final || seq.Finish == FinishReason.Length || steps.Count >= p.Settings.MaxSteps;
            children[i] = new Partial(sessions[i], [], p.Settings, steps, p.Tokens + seq.Tokens.Length,
                p.LogprobSum + seq.Logprobs.Sum()) { Done = done, Finished = final };
        }
        return children;
    }

    /// <summary>Waits until the engine has no running or waiting sequence, then returns its counters
    /// (published after each step), so counter deltas around a run are exact.</summary>
    public static async Task<EngineStats> QuiesceAsync(InferenceEngine engine, CancellationToken ct = default)
    {
        while (true)
        {
            var s = engine.Stats;
            if (s.Running == 0 && s.Waiting == 0) return s;
            await Task.Delay(1, ct).ConfigureAwait(false);
        }
    }

    sealed class Partial(SequenceSession session, int[] pending, StepSettings settings, List<string> steps, int tokens, double logprobSum) : IPartial
    {
        public SequenceSession Session { get; } = session;
        public int[] Pending { get; } = pending;
        public StepSettings Settings { get; } = settings;
        public IReadOnlyList<string> Steps { get; } = steps;
        public string Text => string.Join(Settings.Separator, Steps);
        public bool Done { get; init; }
        public bool Finished { get; init; }
        public int Tokens { get; } = tokens;
        public double LogprobSum { get; } = logprobSum;
        public void Dispose() => Session.Dispose();
    }
}
