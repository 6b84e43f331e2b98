namespace Ponder.Reasoning.Strategies;

/// <summary>One greedy solution: the baseline every other strategy is measured against. The budget is ignored.</summary>
public sealed class Greedy : ITestTimeStrategy
{
    public string Name => "greedy";

    public async Task<StrategyResult> RunAsync(IGenerator lm, Problem problem, Budget budget, CancellationToken ct = default)
    {
        var c = (await lm.SampleAsync(problem.Prompt, 1, new SampleSettings { Temperature = 0, MaxTokens = budget.MaxTokens }, ct))[0];
        var cand = StrategyKit.FromCompletion(problem, c);
        return StrategyKit.Result(Name, lm, cand.Answer, [cand]);
    }
}
