using Ponder.Reasoning.Verifiers;
using Ponder.Sampling;

namespace Ponder.Reasoning.Strategies;

/// <summary>
/// Particle filtering (Puri et al. 2025, "A Probabilistic Inference Approach to Inference-Time
/// Scaling of LLMs using Particle-Based Monte Carlo Methods"): N particles each advance one step
/// per round; a particle's weight is softmax(PRM reward / temperature) over the population (reward =
/// the aggregated step scores, default the last step's); the population is then resampled
/// multinomially by weight (seeded), so promising partial solutions are copied (their KV forked)
/// and poor ones dropped. Finished particles stay in the population and can be resampled. The final
/// answer is the highest-weight particle's, or a vote weighted by the final weights. Notes record
/// each round's resampled parent indices.
/// </summary>
public sealed class ParticleFilter(StrategyOptions options, IProcessVerifier? prm) : ITestTimeStrategy
{
    public string Name => "particle-filter";

    sealed record Particle(SearchNode Node, bool Live);

    public async Task<StrategyResult> RunAsync(IGenerator lm, Problem problem, Budget budget, CancellationToken ct = default)
    {
        var v = StrategyKit.NeedPrm(prm, Name);
        var how = options.PrmAggregation ?? PrmAggregation.Last;
        int n = budget.N;
        var root = await lm.StartAsync(problem.Prompt, StrategyKit.Steps(options, budget, problem), ct);
        var rootNode = new SearchNode(root, [], 0);
        ulong seed = 0;
        var log = new List<string>();
        var live = new HashSet<IPartial>();
        List<Particle> population;
        try
        {
            // Initialise: N first steps from the prompt.
            population = await Propagate(lm, v, problem, Enumerable.Repeat(new Particle(rootNode, true), n).ToList(), () => ++seed, ct);
            root.Dispose();
            foreach (var p in population) if (p.Live) live.Add(p.Node.Partial);
            for (int round = 1; population.Any(p => p.Live); round++)
            {
                var w = Weights(population.Select(p => p.Node.Score(how)).ToArray(), options.ResampleTemperature);
                var rng = new Xoshiro256StarStar(StrategyKit.Mix(options.Seed, 0x9E37_0000UL + (ulong)round));
                var idx = Resample(w, n, ref rng);
                log.Add(SearchNode.Format(idx));
                var chosen = idx.Select(i => population[i]).ToList();
                var next = await Propagate(lm, v, problem, chosen, () => ++seed, ct);
                foreach (var p in population) if (p.Live) { p.Node.Partial.Dispose(); live.Remove(p.Node.Partial); }
                foreach (var p in next) if (p.Live) live.Add(p.Node.Partial);
                population = next;
            }
        }
        finally
        {
            foreach (var p in live) p.Dispose();
        }
        var weights = Weights(population.Select(p => p.Node.Score(how)).ToArray(), options.ResampleTemperature);
        var cands = population.Select((p, i) => p.Node.ToCandidate(problem, how) with { Votes = weights[i] }).ToArray();
        string? answer;
        if (options.WeightedVoteFinal)
        {
            var (a, totals) = Voting.Vote(cands.Select(c => new Ballot(c.Answer, c.Votes, c.MeanLogprob)).ToArray());
            answer = a;
        }
        else
        {
            int best = 0;
            for (int i = 1; i < cands.Length; i++) if (weights[i] > weights[best]) best = i;
            answer = cands[best].Answer;
        }
        return StrategyKit.Result(Name, lm, answer, cands, new() { ["resampled"] = string.Join(";", log) });
    }

    /// <summary>Advances the live particles by one step (all in one batch) and scores the new steps;
    /// finished particles are carried over unchanged.</summary>
    static async Task<List<Particle>> Propagate(IGenerator lm, IProcessVerifier v, Problem problem, List<Particle> ps, Func<ulong> nextSeed,
        CancellationToken ct)
    {
        var reqs = new List<StepRequest>();
        var parents = new List<SearchNode>();
        foreach (var p in ps)
            if (p.Live) { reqs.Add(new(p.Node.Partial, nextSeed())); parents.Add(p.Node); }
        var kids = reqs.Count == 0 ? [] : await lm.ExtendAsync(reqs, ct);
        var scores = kids.Count == 0 ? [] : await v.ScoreLastStepAsync(problem, kids.Select(k => k.Steps).ToArray(), lm.Ledger, ct);
        var children = SearchNode.Children(kids, parents, scores);
        var result = new List<Particle>(ps.Count);
        int j = 0;
        foreach (var p in ps)
        {
            if (!p.Live) { result.Add(p); continue; }
            var c = children[j++];
            if (c.Partial.Done) c.Partial.Dispose();
            result.Add(new Particle(c, !c.Partial.Done));
        }
        return result;
    }

    /// <summary>softmax(reward / temperature).</summary>
    public static double[] Weights(double[] rewards, double temperature)
    {
        if (rewards.Length == 0) return [];
        double t = Math.Max(temperature, 1e-6), max = rewards.Max();
        var w = rewards.Select(r => Math.Exp((r - max) / t)).ToArray();
        double sum = w.Sum();
        for (int i = 0; i < w.Length; i++) w[i] /= sum;
        return w;
    }

    /// <summary>Multinomial resampling: <paramref name="n"/> draws of an index with probability <paramref name="weights"/>[i].</summary>
    public static int[] Resample(double[] weights, int n, ref Xoshiro256StarStar rng)
    {
        var idx = new int[n];
        for (int k = 0; k < n; k++)
        {
            double u = rng.NextDouble(), acc = 0;
            int pick = weights.Length - 1;
            for (int i = 0; i < weights.Length; i++)
            {
                acc += weights[i];
                if (u < acc) { pick = i; break; }
            }
            idx[k] = pick;
        }
        return idx;
    }
}
