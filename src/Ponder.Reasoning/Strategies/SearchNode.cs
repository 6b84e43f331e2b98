using System.Globalization;

namespace Ponder.Reasoning.Strategies;

/// <summary>A partial solution in a PRM-guided search with the scores of its steps so far.</summary>
internal sealed record SearchNode(IPartial Partial, IReadOnlyList<double> StepScores, int Index)
{
    public double Score(Verifiers.PrmAggregation how) => Verifiers.StepScores.Aggregate(StepScores, how);

    public Candidate ToCandidate(Problem p, Verifiers.PrmAggregation how) => StrategyKit.FromPartial(p, Partial, StepScores, Score(how));

    /// <summary>Children of a round: each new partial with its parent's scores and its own new score.</summary>
    public static List<SearchNode> Children(IReadOnlyList<IPartial> kids, IReadOnlyList<SearchNode> parents, double[] scores) =>
        kids.Select((k, i) => new SearchNode(k, [.. parents[i].StepScores, scores[i]], i)).ToList();

    public static string Format(IEnumerable<int> xs) => string.Join(",", xs.Select(x => x.ToString(CultureInfo.InvariantCulture)));
}
