using Ponder.Reasoning.Verifiers;

namespace Ponder.Reasoning.Strategies;

/// <summary>
/// Best-of-N (Cobbe et al. 2021; Lightman et al. 2023): N samples scored by a verifier — an outcome
/// verifier, or a process verifier whose step scores aggregate by last, min (default) or product —
/// and the highest score wins; with <see cref="Aggregation.VerifierWeighted"/> answers are voted
/// with their scores as weights (weighted best-of-N, Li et al. 2023).
/// </summary>
public sealed class BestOfN(StrategyOptions options, IProcessVerifier? prm, IOutcomeVerifier? orm = null) : ITestTimeStrategy
{
    public string Name => "best-of-n";

    public async Task<StrategyResult> RunAsync(IGenerator lm, Problem problem, Budget budget, CancellationToken ct = default)
    {
        if (prm == null && orm == null) throw new ArgumentException("strategy 'best-of-n' needs a verifier; pass --prm PRM_MODEL.gguf");
        var cs = await lm.SampleAsync(problem.Prompt, budget.N, StrategyKit.Sampling(options, budget), ct);
        var cands = cs.Select(c => StrategyKit.FromCompletion(problem, c)).ToArray();
        if (prm != null)
        {
            var lines = cands.Select(c => (IReadOnlyList<string>)StepScores.Lines(c.Text, problem.StepSeparator)).ToArray();
            var steps = await StepScores.ScoreAllStepsAsync(prm, problem, lines, lm.Ledger, ct);
            var how = options.PrmAggregation ?? PrmAggregation.Min;
            cands = cands.Select((c, i) => c with { StepScores = steps[i], Score = StepScores.Aggregate(steps[i], how) }).ToArray();
        }
        else
        {
            var s = await orm!.ScoreAsync(problem, cands.Select(c => c.Text).ToArray(), lm.Ledger, ct);
            cands = cands.Select((c, i) => c with { Score = s[i] }).ToArray();
        }
        var agg = options.Aggregation ?? Aggregation.Best;
        string? answer;
        if (agg == Aggregation.Best) answer = StrategyKit.BestAnswer(cands);
        else
        {
            var (a, totals) = Voting.Vote(StrategyKit.Ballots(cands, agg));
            answer = a;
            cands = cands.Select(c => c with { Votes = c.Answer != null && totals.TryGetValue(c.Answer, out var v) ? v : 0 }).ToArray();
        }
        return StrategyKit.Result(Name, lm, answer, cands);
    }
}
