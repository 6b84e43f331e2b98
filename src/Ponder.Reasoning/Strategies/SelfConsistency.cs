namespace Ponder.Reasoning.Strategies;

/// <summary>
/// Self-consistency (Wang et al. 2023): N samples, majority vote over extracted answers, ties
/// broken by mean token logprob. With <see cref="Aggregation.Confidence"/> each vote weighs the
/// sample's exp(mean logprob) (confidence-weighted voting).
/// </summary>
public sealed class SelfConsistency(StrategyOptions options, string name = "self-consistency") : ITestTimeStrategy
{
    public string Name => name;

    public async Task<StrategyResult> RunAsync(IGenerator lm, Problem problem, Budget budget, CancellationToken ct = default)
    {
        var cs = await lm.SampleAsync(problem.Prompt, budget.N, StrategyKit.Sampling(options, budget), ct);
        var cands = cs.Select(c => StrategyKit.FromCompletion(problem, c)).ToArray();
        var how = options.Aggregation ?? Aggregation.Majority;
        var (answer, totals) = Voting.Vote(StrategyKit.Ballots(cands, how));
        cands = cands.Select(c => c with { Votes = c.Answer != null && totals.TryGetValue(c.Answer, out var v) ? v : 0 }).ToArray();
        return StrategyKit.Result(Name, lm, answer, cands);
    }
}
