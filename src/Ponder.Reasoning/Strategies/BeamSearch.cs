using Ponder.Reasoning.Verifiers;

namespace Ponder.Reasoning.Strategies;

/// <summary>
/// Step-level beam search guided by a PRM (Snell et al. 2024, §5; HF search-and-learn): the prompt
/// is expanded into N first steps; every round the N/M best unfinished partial solutions (by the
/// aggregated PRM score, default the last step's) survive and each is expanded into M next steps,
/// so N candidates are scored per step. Finished solutions leave the beam; the search ends when
/// N/M have finished (or none is left). Final answer: the best finished solution by score, or a
/// verifier-weighted vote. Notes record which children survived each round.
/// </summary>
public sealed class BeamSearch(StrategyOptions options, IProcessVerifier? prm) : ITestTimeStrategy
{
    public string Name => "beam";

    public async Task<StrategyResult> RunAsync(IGenerator lm, Problem problem, Budget budget, CancellationToken ct = default)
    {
        var v = StrategyKit.NeedPrm(prm, Name);
        int m = Math.Clamp(options.Expansions, 1, budget.N), width = Math.Max(1, budget.N / m);
        var how = options.PrmAggregation ?? PrmAggregation.Last;
        var root = await lm.StartAsync(problem.Prompt, StrategyKit.Steps(options, budget, problem), ct);
        var active = new List<SearchNode> { new(root, [], 0) };
        var done = new List<SearchNode>();
        var log = new List<string>();
        ulong seed = 0;
        try
        {
            for (int round = 0; active.Count > 0 && done.Count < width; round++)
            {
                int per = round == 0 ? budget.N : m;
                var reqs = new List<StepRequest>();
                var parents = new List<SearchNode>();
                foreach (var node in active)
                    for (int j = 0; j < per; j++) { reqs.Add(new(node.Partial, StrategyKit.Mix(options.Seed, ++seed))); parents.Add(node); }
                var kids = await lm.ExtendAsync(reqs, ct);
                foreach (var node in active) node.Partial.Dispose();
                active.Clear();
                var scores = await v.ScoreLastStepAsync(problem, kids.Select(k => k.Steps).ToArray(), lm.Ledger, ct);
                var children = SearchNode.Children(kids, parents, scores);
                foreach (var c in children.Where(c => c.Partial.Done)) { done.Add(c); c.Partial.Dispose(); }
                var open = children.Where(c => !c.Partial.Done).OrderByDescending(c => c.Score(how)).ThenBy(c => c.Index).ToList();
                int keep = Math.Max(0, width - done.Count);
                active = open.Take(keep).ToList();
                foreach (var c in open.Skip(keep)) c.Partial.Dispose();
                log.Add(SearchNode.Format(active.Select(c => c.Index)));
            }
        }
        finally
        {
            foreach (var node in active) node.Partial.Dispose();
        }
        var pool = done.Count > 0 ? done : active;
        var cands = pool.Select(n => n.ToCandidate(problem, how)).ToArray();
        string? answer = Final(cands, options.Aggregation ?? Aggregation.Best, out cands);
        return StrategyKit.Result(Name, lm, answer, cands, new() { ["survivors"] = string.Join(";", log) });
    }

    /// <summary>Best score, or a vote weighted by the scores (shared with DVTS).</summary>
    internal static string? Final(Candidate[] cands, Aggregation how, out Candidate[] voted)
    {
        voted = cands;
        if (how == Aggregation.Best) return StrategyKit.BestAnswer(cands);
        var (a, totals) = Voting.Vote(StrategyKit.Ballots(cands, how));
        voted = cands.Select(c => c with { Votes = c.Answer != null && totals.TryGetValue(c.Answer, out var x) ? x : 0 }).ToArray();
        return a;
    }
}
