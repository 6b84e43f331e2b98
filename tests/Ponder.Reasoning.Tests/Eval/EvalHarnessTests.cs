using Ponder.Reasoning.Eval;
using Ponder.Reasoning.Strategies;
using Ponder.Reasoning.Tests.Strategies;

namespace Ponder.Reasoning.Tests.Eval;

public sealed class EvalHarnessTests : IDisposable
{
    readonly string _dir = Path.Combine(Path.GetTempPath(), "ponder-eval-" + Guid.NewGuid().ToString("N"));
    public void Dispose() { if (Directory.Exists(_dir)) Directory.Delete(_dir, true); }

    [Fact]
    public void Pass_at_k_is_the_unbiased_estimate()
    {
        Assert.Equal(0.25, EvalPlots.PassAtK(4, 1, 1), 12);
        Assert.Equal(0.5, EvalPlots.PassAtK(4, 1, 2), 12);   // 1 - C(3,2)/C(4,2) = 1 - 3/6
        Assert.Equal(1.0, EvalPlots.PassAtK(4, 3, 2), 12);
        Assert.Equal(0.0, EvalPlots.PassAtK(8, 0, 4), 12);
    }

    static EvalRow Row(string id, string strategy, int budget, bool correct, int n = 1, int right = 0, int k = 2, double flops = 1) => new()
    {
        ProblemId = id, Question = "1+1", Expected = "2", Difficulty = k, Strategy = strategy, Budget = budget, Correct = correct,
        Covered = right > 0, Candidates = n, CorrectCandidates = right, Ledger = new LedgerSnapshot { PolicyFlops = flops },
        Notes = strategy == "probe" ? new() { ["agreement"] = id.Contains("easy", StringComparison.Ordinal) ? "1" : "0.25" } : new(),
    };

    [Fact]
    public void Coverage_plot_fits_the_power_law_it_was_drawn_from()
    {
        // 64 samples per problem; each problem's share of right samples is chosen so that the
        // average pass@k follows -log(cov) = 1.2 k^-0.5 closely enough for the fit to recover it.
        var rows = new List<EvalRow>();
        var rng = new Random(3);
        for (int i = 0; i < 400; i++)
        {
            double p = Math.Pow(rng.NextDouble(), 3); // a spread of difficulties gives a power-law-like tail
            int right = (int)Math.Round(64 * p);
            rows.Add(Row($"p{i}", "sample", 64, right > 0, 64, right));
        }
        var fit = EvalPlots.Coverage(Path.Combine(Directory.CreateDirectory(_dir).FullName, "coverage.png"), rows);
        Assert.NotNull(fit);
        Assert.True(fit!.B < 0, $"coverage grows with k, so the exponent is negative (got {fit.B})");
        var cov8 = rows.Average(r => EvalPlots.PassAtK(64, r.CorrectCandidates, 8));
        Assert.InRange(fit.Coverage(8), cov8 - 0.05, cov8 + 0.05);
        Assert.True(File.Exists(Path.Combine(_dir, "coverage.png")));
    }

    [Fact]
    public void Auto_learns_the_most_accurate_strategy_per_bin_and_the_cheaper_on_ties()
    {
        var rows = new List<EvalRow>
        {
            Row("a-easy", "probe", 4, false), Row("b-easy", "probe", 4, false), Row("c-hard", "probe", 4, false),
            Row("a-easy", "greedy", 1, true, flops: 1), Row("b-easy", "greedy", 1, true, flops: 1),
            Row("a-easy", "self-consistency", 4, true, flops: 4), Row("b-easy", "self-consistency", 4, true, flops: 4),
            Row("c-hard", "greedy", 1, false), Row("c-hard", "self-consistency", 4, false), Row("c-hard", "beam", 4, true, flops: 9),
        };
        var policy = AutoLearner.Learn(rows, [4], 4);
        Assert.Equal("greedy", policy.Choose(3, 4));  // easy: both right, greedy is cheaper
        Assert.Equal("beam", policy.Choose(0, 4));    // hard: only beam is right
        Assert.Equal("beam", policy.Choose(0, 64));   // the largest learned budget at or below N
        Assert.Equal("self-consistency", policy.Choose(1, 4)); // an empty bin falls back
        var path = Path.Combine(Directory.CreateDirectory(_dir).FullName, "m.auto.json");
        policy.Save(path);
        Assert.Equal("beam", AutoPolicy.Load(path).Choose(0, 16));
        Assert.Equal(Path.Combine("models", "x.auto.json"), AutoPolicy.PathFor(Path.Combine("models", "x.gguf")));
    }

    [Fact]
    public async Task Eval_writes_every_row_once_and_a_rerun_skips_finished_rows()
    {
        var problems = ProblemSet.Arith(3, 5);
        int runs = 0;
        EvalRunner Make() => new()
        {
            Problems = problems, Strategies = ["greedy", "self-consistency"], Budgets = [1, 4], OutDir = _dir,
            Create = (name, _) => StrategyRegistry.Create(name, new StrategyOptions()),
            Run = async (s, p, b, ct) =>
            {
                runs++;
                var g = new ScriptedGenerator();
                for (int i = 0; i < b.N; i++) g.Samples.Enqueue((p.Answer is { } a && i % 2 == 0 ? $"answer: {a}" : "answer: 0", -1));
                return await s.RunAsync(g, p, b, ct);
            },
        };
        var rows = await Make().RunAsync();
        Assert.Equal(3 * (1 + 2), rows.Count); // greedy once, self-consistency at 1 and 4
        Assert.Equal(9, runs);
        // Cut the last line in half, as an interrupted write would.
        var path = Path.Combine(_dir, "results.jsonl");
        var text = File.ReadAllText(path);
        File.WriteAllText(path, text[..(text.Length - 40)]);
        runs = 0;
        rows = await Make().RunAsync();
        Assert.Equal(1, runs);
        Assert.Equal(9, File.ReadAllLines(path).Length);
        Assert.Equal(9, rows.Count);
        Assert.All(rows.Where(r => r.Strategy == "greedy"), r => Assert.True(r.Correct));
        Assert.Contains("+", File.ReadAllLines(path)[0]); // readable questions, no \u002B

        EvalReport.WriteAll(_dir, rows);
        foreach (var f in new[] { "summary.csv", "report.md", "accuracy_vs_compute.png", "coverage.png" }) Assert.True(File.Exists(Path.Combine(_dir, f)), f);
        var md = File.ReadAllText(Path.Combine(_dir, "report.md"));
        Assert.Contains("## Accuracy by difficulty", md);
        Assert.Contains("self-consistency@16 vs greedy: not run", md);
    }

    [Fact]
    public void Targets_say_by_how_much_a_target_is_missed()
    {
        var s = new List<SummaryRow>
        {
            new("greedy", 1, 10, 0.50, null, 1, 0, 0, 0, 0),
            new("self-consistency", 16, 10, 0.60, null, 16, 0, 0, 0, 0),
            new("self-consistency", 64, 10, 0.70, null, 64, 0, 0, 0, 0),
            new("beam", 16, 10, 0.72, null, 12, 0, 0, 0, 0),
            new("particle-filter", 16, 10, 0.55, null, 12, 0, 0, 0, 0),
        };
        var t = EvalReport.Targets(s).ToList();
        Assert.Contains("missed by 5.0 points", t[0]);
        Assert.Contains("particle-filter@16 55.0% < self-consistency@16 60.0%: missed by 5.0 points", t[1]);
        Assert.Contains("beam@16 72.0% ≥ self-consistency@16 60.0%: met", t[2]);
        Assert.Contains("beam@16 reaches self-consistency@64's 70.0%", t[3]);
    }

    [Fact]
    public void Problems_load_from_gsm8k_style_jsonl()
    {
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "p.jsonl");
        File.WriteAllLines(path, ["{\"question\": \"37+48-19*3\", \"answer\": \"198\"}", "{\"question\": \"Tom has 3 apples and buys 4.\", \"answer\": \"He has 3+4=7.\\n#### 7\"}"]);
        var ps = ProblemSet.Jsonl(path);
        Assert.Equal(3, ps[0].Difficulty);
        Assert.True(ps[0].IsCorrect(ps[0].Extract("37+48=85\nanswer: 198")));
        Assert.Equal("7", ps[1].Answer);
        Assert.True(ps[1].IsCorrect(ps[1].Extract("so #### 7")));
        Assert.True(ps[1].IsCorrect(ps[1].Extract("answer: 7.0")));
    }
}
