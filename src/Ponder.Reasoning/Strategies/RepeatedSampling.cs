namespace Ponder.Reasoning.Strategies;

/// <summary>
/// Repeated sampling (Brown et al. 2024, "Large Language Monkeys"): N independent samples. Its answer
/// is the first sample's (an unbiased pass@1); what it is for is oracle coverage — whether any sample
/// is right — which the eval reports as pass@k and fits with a power law.
/// </summary>
public sealed class RepeatedSampling(StrategyOptions options) : ITestTimeStrategy
{
    public string Name => "sample";

    public async Task<StrategyResult> RunAsync(IGenerator lm, Problem problem, Budget budget, CancellationToken ct = default)
    {
        var cs = await lm.SampleAsync(problem.Prompt, budget.N, StrategyKit.Sampling(options, budget), ct);
        var cands = cs.Select(c => StrategyKit.FromCompletion(problem, c)).ToArray();
        var notes = new Dictionary<string, string>();
        if (problem.Answer != null) notes["correct_samples"] = cands.Count(c => problem.IsCorrect(c.Answer)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return StrategyKit.Result(Name, lm, cands[0].Answer, cands, notes);
    }
}
