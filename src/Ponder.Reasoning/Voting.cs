namespace Ponder.Reasoning;

/// <summary>One ballot: an answer (null = none, does not vote), its weight, and the candidate's mean token logprob.</summary>
public readonly record struct Ballot(string? Answer, double Weight, double MeanLogprob);

/// <summary>Answer aggregation shared by the voting strategies.</summary>
public static class Voting
{
    /// <summary>
    /// The answer with the largest total weight; ties go to the answer whose candidates have the
    /// higher average mean-logprob (Wang et al. break ties arbitrarily; the model's own confidence
    /// is a better arbiter), then to the first seen.
    /// </summary>
    public static (string? Answer, Dictionary<string, double> Totals) Vote(IReadOnlyList<Ballot> ballots)
    {
        var totals = new Dictionary<string, double>();
        var lp = new Dictionary<string, (double Sum, int N)>();
        var order = new List<string>();
        foreach (var b in ballots)
        {
            if (b.Answer is not { } a) continue;
            if (!totals.ContainsKey(a)) { totals[a] = 0; lp[a] = (0, 0); order.Add(a); }
            totals[a] += b.Weight;
            var (s, n) = lp[a];
            lp[a] = (s + b.MeanLogprob, n + 1);
        }
        string? best = null;
        foreach (var a in order)
        {
            if (best == null) { best = a; continue; }
            double d = totals[a] - totals[best];
            if (d > 1e-12 || (Math.Abs(d) <= 1e-12 && lp[a].Sum / lp[a].N > lp[best].Sum / lp[best].N)) best = a;
        }
        return (best, totals);
    }

    /// <summary>Confidence weight of a candidate: its geometric-mean token probability, exp(mean logprob).</summary>
    public static double Confidence(double meanLogprob) => Math.Exp(meanLogprob);
}
