namespace Ponder.Reasoning.Strategies;

/// <summary>
/// First-finish: N samples advance together and the first to end on its own wins; the rest are
/// cancelled at once, so the compute is about N × the shortest trace. Shorter reasoning traces
/// are more often right (Hassid et al. 2025, "Don't Overthink It"). All samples move one token per
/// engine step, so the first to finish is the one with the fewest tokens (ties: lowest index).
/// </summary>
public sealed class FirstFinish(StrategyOptions options) : ITestTimeStrategy
{
    public string Name => "first-finish";

    public async Task<StrategyResult> RunAsync(IGenerator lm, Problem problem, Budget budget, CancellationToken ct = default)
    {
        var settings = StrategyKit.Sampling(options, budget) with { StopAtFirstFinish = true };
        var cs = await lm.SampleAsync(problem.Prompt, budget.N, settings, ct);
        var cands = cs.Select(c => StrategyKit.FromCompletion(problem, c)).ToArray();
        int first = -1;
        for (int i = 0; i < cands.Length; i++)
            if (cands[i].Finished && (first < 0 || cands[i].Tokens < cands[first].Tokens)) first = i;
        if (first < 0) first = 0; // none finished within the token limit: the first sample
        var chosen = cands[first];
        cands = cands.Select((c, i) => c with { Votes = i == first ? 1 : 0 }).ToArray();
        var r = StrategyKit.Result(Name, lm, chosen.Answer, cands);
        return r with { Candidates = r.Candidates.Select((c, i) => c with { Chosen = i == first }).ToArray() };
    }
}
