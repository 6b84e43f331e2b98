using Ponder.Engine;
using Ponder.Models;
using Ponder.Sampling;
using Ponder.Tokenizers;

namespace Ponder.Reasoning.Verifiers;

/// <summary>
/// The shipped PRM run on its own <see cref="InferenceEngine"/>: to score a step, the text up to that
/// step's marker is one request for one greedy token with top log-probabilities, and the score is
/// P(good) at the marker. Requests of a round are submitted together (one batched step); the text
/// before the newest step was scored in an earlier round, so its full KV blocks come from the prefix
/// cache. It doubles as an outcome verifier: the score of the answer line.
/// </summary>
public sealed class EnginePrmVerifier : IProcessVerifier, IOutcomeVerifier
{
    readonly InferenceEngine _engine;
    readonly Tokenizer _tok;
    readonly PrmFormat _format;
    readonly int _good;

    public EnginePrmVerifier(InferenceEngine engine, Tokenizer tokenizer, PrmFormat? format = null)
    {
        _engine = engine;
        _tok = tokenizer;
        _format = format ?? PrmFormat.Arith;
        var ids = _tok.Encode(_format.Good, addSpecial: false);
        // A vocabulary with a space prefix encodes "+" as "▁+"; the piece itself is what follows the marker.
        _good = ids.Length == 1 ? ids[0] : _tok.TokenId(_format.Good)
            ?? throw new PonderException($"the verifier's vocabulary has no single token for '{_format.Good}'; is this a PRM?");
    }

    public InferenceEngine Engine => _engine;

    public async Task<double[]> ScoreLastStepAsync(Problem problem, IReadOnlyList<IReadOnlyList<string>> solutions, ComputeLedger ledger,
        CancellationToken ct = default)
    {
        var sampling = SamplingParams.Greedy with { Logprobs = true, TopLogprobs = SamplingParams.MaxTopLogprobs };
        var handles = new RequestHandle?[solutions.Count];
        var lengths = new int[solutions.Count];
        for (int i = 0; i < solutions.Count; i++)
        {
            var lines = solutions[i].Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
            if (lines.Length == 0) continue; // nothing to judge yet: neutral
            var ids = _tok.Encode(_format.Prefix(problem.Question, lines));
            lengths[i] = ids.Length;
            handles[i] = _engine.Submit(new GenerationRequest { Prompt = ids, MaxTokens = 1, Sampling = sampling }, ct);
        }
        var scores = new double[solutions.Count];
        for (int i = 0; i < solutions.Count; i++)
        {
            if (handles[i] is not { } h) { scores[i] = 0.5; continue; }
            double p = 0;
            await foreach (var e in h.Events(CancellationToken.None).ConfigureAwait(false))
            {
                if (e.Finish is FinishReason.Error) throw new PonderException(e.Error ?? "verifier request failed");
                if (e.IsFinal) continue;
                if (e.Token == _good) p = Math.Exp(e.Logprob);
                else if (e.Top != null)
                    foreach (var t in e.Top) if (t.Id == _good) p = Math.Exp(t.Logprob);
            }
            var u = await h.Usage.ConfigureAwait(false);
            ledger.AddVerifier(_engine.Model.Config, lengths[i], u.PromptTokensComputed, u.CachedPromptTokens, u.CompletionTokens);
            scores[i] = p;
        }
        ct.ThrowIfCancellationRequested();
        return scores;
    }

    public Task<double[]> ScoreAsync(Problem problem, IReadOnlyList<string> solutions, ComputeLedger ledger, CancellationToken ct = default) =>
        ScoreLastStepAsync(problem, solutions.Select(s => (IReadOnlyList<string>)StepScores.Lines(s, problem.StepSeparator)).ToArray(), ledger, ct);
}
