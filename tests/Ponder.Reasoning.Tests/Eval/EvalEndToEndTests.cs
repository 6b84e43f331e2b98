using Ponder.Reasoning.Eval;
using Ponder.Reasoning.Strategies;
using Ponder.Reasoning.Tests.Generation;

namespace Ponder.Reasoning.Tests.Eval;

/// <summary>The eval pipeline over real engines (the random tiny model as policy and as its own PRM):
/// every strategy family runs, every row has a ledger, the outputs are written, and running problems in
/// parallel gives the same FLOPs for the same seeds as running them one at a time.</summary>
public sealed class EvalEndToEndTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "ponder-e2e-" + Guid.NewGuid().ToString("N"));
    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); }

    [Fact]
    public async Task Tiny_eval_runs_every_strategy_family_and_parallel_rows_match_sequential_flops()
    {
        string model = TestModel.Path("tiny-llama-q8_0.gguf");
        var limits = new Budget(1) { MaxTokens = 6, MaxStepTokens = 3, MaxSteps = 2 };
        var options = new StrategyOptions { Seed = 5, Expansions = 2 };
        string[] names = ["greedy", "self-consistency", "best-of-n", "beam", "particle-filter", "auto"];
        var problems = ProblemSet.Arith(2, 9);

        async Task<List<EvalRow>> Run(string dir, int parallel)
        {
            using var host = new ReasoningHost(model, model, 2, limits, threads: 2, parallel);
            var runner = new EvalRunner
            {
                Problems = problems, Strategies = names, Budgets = [2], OutDir = dir, Limits = limits, Options = options, Parallelism = parallel,
                Create = (n, p) => host.Create(n, options with { AutoPolicyPath = "none" }, p),
                Run = (s, p, b, ct) => host.Runner.RunAsync(s, p, b, ct, exclusive: parallel == 1),
            };
            var rows = await runner.RunAsync();
            EvalReport.WriteAll(dir, rows);
            return rows;
        }

        var seq = await Run(Path.Combine(_dir, "seq"), 1);
        Assert.Equal(2 * (1 + 4 + 1 + 1), seq.Count); // greedy, four strategies at N=2, the probe, auto
        Assert.All(seq, r => Assert.True(r.Ledger.ForwardTokens > 0 && r.Ledger.ForwardPasses > 0 && r.Ledger.Flops > 0, r.Key));
        Assert.All(seq.Where(r => StrategyRegistry.NeedsVerifier(r.Strategy)), r => Assert.True(r.Ledger.VerifierTokensComputed > 0, r.Key));
        foreach (var f in new[] { "results.jsonl", "summary.csv", "report.md", "accuracy_vs_compute.png", "coverage.png", "auto-policy.json" })
            Assert.True(File.Exists(Path.Combine(_dir, "seq", f)), f);

        // Sampling is seeded per request and batch-invariant, so the same rows spend the same tokens in parallel.
        var par = await Run(Path.Combine(_dir, "par"), 2);
        foreach (var r in seq.Where(r => r.Strategy is "greedy" or "self-consistency" or "beam"))
        {
            var p = par.Single(x => x.Key == r.Key);
            Assert.Equal(r.Ledger.GeneratedTokens, p.Ledger.GeneratedTokens);
            Assert.Equal(r.Answer, p.Answer);
        }
    }
}
