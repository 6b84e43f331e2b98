using System.Globalization;

namespace Ponder.Reasoning.Strategies;

/// <summary>
/// Compute-optimal strategy choice (Snell et al. 2024): a probe of a few samples estimates the
/// problem's difficulty (agreement of their answers), and the budget is spent with the strategy the
/// eval data shows is most accurate for that difficulty bin at that budget (<see cref="AutoPolicy"/>).
/// The probe's compute is in the ledger.
/// </summary>
public sealed class Auto(StrategyOptions options, AutoPolicy policy, Func<string, ITestTimeStrategy> create) : ITestTimeStrategy
{
    public string Name => "auto";

    public async Task<StrategyResult> RunAsync(IGenerator lm, Problem problem, Budget budget, CancellationToken ct = default)
    {
        int k = Math.Max(1, policy.ProbeSamples);
        double agreement = await ProbeAsync(lm, problem, budget, options, k, ct);
        int bin = AutoPolicy.BinOf(agreement);
        string name = policy.Choose(bin, budget.N);
        if (name == Name) name = policy.Fallback;
        var inner = await create(name).RunAsync(lm, problem, budget, ct);
        var notes = new Dictionary<string, string>(inner.Notes)
        {
            ["agreement"] = agreement.ToString("0.###", CultureInfo.InvariantCulture),
            ["bin"] = bin.ToString(CultureInfo.InvariantCulture),
            ["chosen"] = name,
        };
        return inner with { Strategy = Name, Ledger = lm.Ledger.Snapshot(), Notes = notes };
    }

    /// <summary>Share of the most common answer among <paramref name="k"/> probe samples (no answer counts against).</summary>
    public static async Task<double> ProbeAsync(IGenerator lm, Problem problem, Budget budget, StrategyOptions o, int k, CancellationToken ct)
    {
        var cs = await lm.SampleAsync(problem.Prompt, k, StrategyKit.Sampling(o, budget, 0xA070), ct);
        var answers = cs.Select(c => problem.Extract(c.Text)).Where(a => a != null).GroupBy(a => a).Select(g => g.Count()).ToArray();
        return answers.Length == 0 ? 0 : (double)answers.Max() / k;
    }
}
