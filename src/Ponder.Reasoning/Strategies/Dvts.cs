using Ponder.Reasoning.Verifiers;

namespace Ponder.Reasoning.Strategies;

/// <summary>
/// Diverse verifier tree search (Beeching et al. 2024, HF "Scaling test-time compute"): the budget
/// is split into N/M independent subtrees; each keeps a single beam that is expanded into M next
/// steps per round, of which the PRM's favourite is kept (greedy with respect to the PRM). Subtrees
/// never compete, so easy problems do not collapse onto one early favourite as beam search does.
/// Final answer: the best subtree leaf by score, or a verifier-weighted vote.
/// </summary>
public sealed class Dvts(StrategyOptions options, IProcessVerifier? prm) : ITestTimeStrategy
{
    public string Name => "dvts";

    public async Task<StrategyResult> RunAsync(IGenerator lm, Problem problem, Budget budget, CancellationToken ct = default)
    {
        var v = StrategyKit.NeedPrm(prm, Name);
        int m = Math.Clamp(options.Expansions, 1, budget.N), trees = Math.Max(1, budget.N / m);
        var how = options.PrmAggregation ?? PrmAggregation.Last;
        var root = await lm.StartAsync(problem.Prompt, StrategyKit.Steps(options, budget, problem), ct);
        var rootNode = new SearchNode(root, [], 0);
        // beams[t]: subtree t's current node; null once it is finished (its leaf is in leaves[t]).
        var beams = new SearchNode?[trees];
        var leaves = new SearchNode?[trees];
        for (int t = 0; t < trees; t++) beams[t] = rootNode;
        ulong seed = 0;
        bool rootLive = true;
        try
        {
            while (beams.Any(b => b != null))
            {
                var reqs = new List<StepRequest>();
                var parents = new List<SearchNode>();
                var tree = new List<int>();
                for (int t = 0; t < trees; t++)
                {
                    if (beams[t] is not { } b) continue;
                    for (int j = 0; j < m; j++) { reqs.Add(new(b.Partial, StrategyKit.Mix(options.Seed, ++seed))); parents.Add(b); tree.Add(t); }
                }
                var kids = await lm.ExtendAsync(reqs, ct);
                if (rootLive) { root.Dispose(); rootLive = false; }
                else foreach (var b in beams) b?.Partial.Dispose();
                var scores = await v.ScoreLastStepAsync(problem, kids.Select(k => k.Steps).ToArray(), lm.Ledger, ct);
                var children = SearchNode.Children(kids, parents, scores);
                for (int t = 0; t < trees; t++)
                {
                    if (beams[t] == null) continue;
                    SearchNode? best = null;
                    for (int i = 0; i < children.Count; i++)
                        if (tree[i] == t && (best == null || children[i].Score(how) > best.Score(how))) best = children[i];
                    foreach (var c in children) if (tree[c.Index] == t && c != best) c.Partial.Dispose();
                    if (best!.Partial.Done) { leaves[t] = best; beams[t] = null; best.Partial.Dispose(); }
                    else beams[t] = best;
                }
            }
        }
        finally
        {
            if (rootLive) root.Dispose();
            else foreach (var b in beams) b?.Partial.Dispose();
        }
        var cands = leaves.Where(l => l != null).Select(l => l!.ToCandidate(problem, how)).ToArray();
        string? answer = BeamSearch.Final(cands, options.Aggregation ?? Aggregation.Best, out cands);
        return StrategyKit.Result(Name, lm, answer, cands, new() { ["subtrees"] = trees.ToString(System.Globalization.CultureInfo.InvariantCulture) });
    }
}
