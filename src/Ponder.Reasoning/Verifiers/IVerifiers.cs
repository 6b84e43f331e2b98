namespace Ponder.Reasoning.Verifiers;

/// <summary>An outcome reward model: one score in [0, 1] per whole solution.</summary>
public interface IOutcomeVerifier
{
    Task<double[]> ScoreAsync(Problem problem, IReadOnlyList<string> solutions, ComputeLedger ledger, CancellationToken ct = default);
}

/// <summary>
/// A process reward model: the score in [0, 1] of the last step of each partial solution (its
/// steps so far). Search strategies score each new step once and keep the history; an
/// implementation over an engine gets the earlier steps' KV back from the prefix cache.
/// </summary>
public interface IProcessVerifier
{
    Task<double[]> ScoreLastStepAsync(Problem problem, IReadOnlyList<IReadOnlyList<string>> solutions, ComputeLedger ledger,
        CancellationToken ct = default);
}

/// <summary>How step scores become one solution score (Lightman et al. use product and min; Snell et al. last).</summary>
public enum PrmAggregation { Last, Min, Product }

public static class StepScores
{
    public static double Aggregate(IReadOnlyList<double> scores, PrmAggregation how)
    {
        if (scores.Count == 0) return 0;
        switch (how)
        {
            case PrmAggregation.Last: return scores[^1];
            case PrmAggregation.Min:
                double m = double.PositiveInfinity;
                foreach (var s in scores) m = Math.Min(m, s);
                return m;
            default:
                double p = 1;
                foreach (var s in scores) p *= s;
                return p;
        }
    }

    public static PrmAggregation Parse(string text) => text.ToLowerInvariant() switch
    {
        "last" => PrmAggregation.Last,
        "min" => PrmAggregation.Min,
        "product" or "prod" => PrmAggregation.Product,
        _ => throw new ArgumentException($"PRM aggregation '{text}' is not one of last, min, product"),
    };

    /// <summary>Every step's score of whole solutions: depth by depth, so that each depth's requests
    /// find the previous depth's KV in the verifier's prefix cache.</summary>
    public static async Task<double[][]> ScoreAllStepsAsync(IProcessVerifier prm, Problem problem, IReadOnlyList<IReadOnlyList<string>> steps,
        ComputeLedger ledger, CancellationToken ct = default)
    {
        var scores = new List<double>[steps.Count];
        for (int i = 0; i < steps.Count; i++) scores[i] = new();
        int depth = steps.Count == 0 ? 0 : steps.Max(s => s.Count);
        for (int d = 1; d <= depth; d++)
        {
            var idx = new List<int>();
            var prefixes = new List<IReadOnlyList<string>>();
            for (int i = 0; i < steps.Count; i++)
                if (steps[i].Count >= d) { idx.Add(i); prefixes.Add(steps[i].Take(d).ToArray()); }
            var s = await prm.ScoreLastStepAsync(problem, prefixes, ledger, ct).ConfigureAwait(false);
            for (int j = 0; j < idx.Count; j++) scores[idx[j]].Add(s[j]);
        }
        return scores.Select(x => x.ToArray()).ToArray();
    }

    /// <summary>The non-blank lines of a solution (the lines a PRM scores).</summary>
    public static string[] Lines(string solution, string separator) =>
        solution.Split(separator).Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
}
