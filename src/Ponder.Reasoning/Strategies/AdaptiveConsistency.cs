namespace Ponder.Reasoning.Strategies;

/// <summary>
/// Adaptive consistency (Aggarwal et al. 2023, "Let's Sample Step by Step"): sample in rounds of
/// <see cref="StrategyOptions.RoundSize"/> and stop as soon as the leading answer cannot be overtaken
/// by the samples left in the budget, or (Beta rule) when P(leader's share &gt; runner-up's | votes),
/// with a uniform prior, reaches <see cref="StrategyOptions.StopConfidence"/>.
/// </summary>
public sealed class AdaptiveConsistency(StrategyOptions options) : ITestTimeStrategy
{
    public string Name => "adaptive-consistency";

    public async Task<StrategyResult> RunAsync(IGenerator lm, Problem problem, Budget budget, CancellationToken ct = default)
    {
        var cands = new List<Candidate>();
        int round = 0;
        string reason = "budget";
        while (cands.Count < budget.N)
        {
            int n = Math.Min(Math.Max(1, options.RoundSize), budget.N - cands.Count);
            var cs = await lm.SampleAsync(problem.Prompt, n, StrategyKit.Sampling(options, budget, (ulong)round + 1), ct);
            cands.AddRange(cs.Select(c => StrategyKit.FromCompletion(problem, c)));
            round++;
            if (ShouldStop(cands.Select(c => c.Answer).ToArray(), budget.N - cands.Count, options, out reason)) break;
        }
        var (answer, totals) = Voting.Vote(StrategyKit.Ballots(cands, Aggregation.Majority));
        var voted = cands.Select(c => c with { Votes = c.Answer != null && totals.TryGetValue(c.Answer, out var v) ? v : 0 }).ToArray();
        return StrategyKit.Result(Name, lm, answer, voted, new()
        {
            ["samples"] = cands.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["rounds"] = round.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["stop"] = reason,
        });
    }

    /// <summary>The stopping decision after a round, given the answers so far and the samples left.</summary>
    public static bool ShouldStop(IReadOnlyList<string?> answers, int remaining, StrategyOptions o, out string reason)
    {
        var counts = answers.Where(a => a != null).GroupBy(a => a!).Select(g => g.Count()).OrderByDescending(c => c).ToArray();
        int v1 = counts.Length > 0 ? counts[0] : 0, v2 = counts.Length > 1 ? counts[1] : 0;
        reason = "budget";
        if (remaining <= 0) return true;
        if (v1 > v2 + remaining) { reason = "margin"; return true; }
        if (o.StopRule == StopRule.Beta && v1 > 0 && ProbLeaderAhead(v1, v2) >= o.StopConfidence) { reason = "beta"; return true; }
        return false;
    }

    /// <summary>P(X &gt; 1/2) for X ~ Beta(v1+1, v2+1): the chance the leader's true share beats the
    /// runner-up's. For integer parameters I_{1/2}(a, b) is a binomial tail, so this is exact:
    /// P = Σ_{j&lt;a} C(n, j) / 2^n with a = v1+1, n = v1+v2+1.</summary>
    public static double ProbLeaderAhead(int v1, int v2)
    {
        int a = v1 + 1, n = v1 + v2 + 1;
        double sum = 0, c = 1; // C(n, 0)
        for (int j = 0; j < a; j++)
        {
            sum += c;
            c = c * (n - j) / (j + 1);
        }
        return sum / Math.Pow(2, n);
    }
}
