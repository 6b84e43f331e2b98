using System.Text;
using System.Text.Json;
using Ponder.Reasoning.Strategies;

namespace Ponder.Reasoning.Eval;

/// <summary>Progress of one strategy's rows (for progress bars).</summary>
public readonly record struct EvalProgress(string Strategy, int Done, int Total);

/// <summary>
/// Runs problems × strategies × budgets one at a time (each run has the engines to itself, so its
/// ledger's forward passes are exact) and appends each row to results.jsonl as soon as it is done;
/// a re-run skips rows already there. <c>greedy</c> runs once (budget 1). When <c>auto</c> is asked
/// for, it runs last: a difficulty probe per problem is recorded (strategy "probe"), the policy is
/// learned from the other strategies' rows, saved, and used.
/// </summary>
public sealed class EvalRunner
{
    public required IReadOnlyList<Problem> Problems { get; init; }
    public required IReadOnlyList<string> Strategies { get; init; }
    public required IReadOnlyList<int> Budgets { get; init; }
    public required string OutDir { get; init; }
    public required Func<string, AutoPolicy?, ITestTimeStrategy> Create { get; init; }
    public required Func<ITestTimeStrategy, Problem, Budget, CancellationToken, Task<StrategyResult>> Run { get; init; }
    public Budget Limits { get; init; } = new(1);
    public StrategyOptions Options { get; init; } = new();
    /// <summary>Problems run at once (1 = one at a time, exact forward-pass counts; more = better batching).</summary>
    public int Parallelism { get; init; } = 1;
    /// <summary>Extra place to save the learned auto policy (next to the model).</summary>
    public string? PolicyPath { get; init; }

    public string ResultsPath => Path.Combine(OutDir, "results.jsonl");

    public int BudgetsOf(string strategy) => strategy == "greedy" ? 1 : Budgets.Count;

    public async Task<List<EvalRow>> RunAsync(IProgress<EvalProgress>? progress = null, CancellationToken ct = default)
    {
        Directory.CreateDirectory(OutDir);
        var rows = Load(ResultsPath);
        var done = rows.Select(r => r.Key).ToHashSet();
        await using var w = new StreamWriter(ResultsPath, append: true, new UTF8Encoding(false)) { NewLine = "\n" };
        var gate = new object();
        int k = 0;

        // Every problem of one (strategy, budget), up to Parallelism at a time; rows are written as they finish.
        async Task Cell(string name, string bar, ITestTimeStrategy s, int budget, int total)
        {
            var todo = new List<Problem>();
            foreach (var p in Problems)
                if (done.Contains(EvalRow.KeyOf(p.Id, name, budget))) progress?.Report(new(bar, ++k, total));
                else todo.Add(p);
            await Parallel.ForEachAsync(todo, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Parallelism), CancellationToken = ct },
                async (p, c) =>
                {
                    var r = await Run(s, p, Limits with { N = budget }, c);
                    var row = EvalRow.From(p, budget, r with { Strategy = name });
                    lock (gate)
                    {
                        rows.Add(row);
                        done.Add(row.Key);
                        w.WriteLine(JsonSerializer.Serialize(row, EvalRow.Json));
                        w.Flush();
                        progress?.Report(new(bar, ++k, total));
                    }
                });
        }

        foreach (var name in Strategies.Where(s => s != "auto"))
        {
            var s = Create(name, null);
            var budgets = name == "greedy" ? [1] : Budgets;
            k = 0;
            foreach (int b in budgets) await Cell(name, name, s, b, budgets.Count * Problems.Count);
        }
        if (Strategies.Contains("auto"))
        {
            var probe = new ProbeStrategy(Options);
            int total = Problems.Count * (1 + Budgets.Count);
            k = 0;
            await Cell("probe", "auto", probe, probe.Samples, total);
            var policy = AutoLearner.Learn(rows, Budgets, probe.Samples);
            policy.Save(Path.Combine(OutDir, "auto-policy.json"));
            if (PolicyPath != null) policy.Save(PolicyPath);
            var auto = Create("auto", policy);
            foreach (int b in Budgets) await Cell("auto", "auto", auto, b, total);
        }
        return rows;
    }

    /// <summary>Rows of an earlier run; a line cut short by an interrupted write is dropped (and truncated away).</summary>
    public static List<EvalRow> Load(string path)
    {
        var rows = new List<EvalRow>();
        if (!File.Exists(path)) return rows;
        var text = File.ReadAllText(path);
        int end = text.LastIndexOf('\n') + 1;
        if (end < text.Length)
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Write);
            f.SetLength(Encoding.UTF8.GetByteCount(text.AsSpan(0, end)));
        }
        foreach (var line in text[..end].Split('\n'))
        {
            if (line.Trim().Length == 0) continue;
            try { if (JsonSerializer.Deserialize<EvalRow>(line, EvalRow.Json) is { } r) rows.Add(r); }
            catch (JsonException) { }
        }
        return rows;
    }

    /// <summary>The difficulty probe of <c>auto</c>, as its own row so the learner can bin problems.</summary>
    sealed class ProbeStrategy(StrategyOptions o) : ITestTimeStrategy
    {
        public int Samples => Math.Max(1, o.ProbeSamples);
        public string Name => "probe";
        public async Task<StrategyResult> RunAsync(IGenerator lm, Problem problem, Budget budget, CancellationToken ct = default)
        {
            double a = await Auto.ProbeAsync(lm, problem, budget, o, Samples, ct);
            return new StrategyResult
            {
                Strategy = Name, Candidates = [], Ledger = lm.Ledger.Snapshot(),
                Notes = new Dictionary<string, string> { ["agreement"] = a.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) },
            };
        }
    }
}

/// <summary>Learns <see cref="AutoPolicy"/> from eval rows: per difficulty bin and budget, the most
/// accurate strategy (ties: the cheaper by mean FLOPs). In-sample: the same problems it is then run on.</summary>
public static class AutoLearner
{
    public static AutoPolicy Learn(IReadOnlyList<EvalRow> rows, IReadOnlyList<int> budgets, int probeSamples)
    {
        var bins = new Dictionary<string, int>();
        foreach (var r in rows.Where(r => r.Strategy == "probe"))
            bins[r.ProblemId] = AutoPolicy.BinOf(double.Parse(r.Notes["agreement"], System.Globalization.CultureInfo.InvariantCulture));
        var policy = new AutoPolicy { ProbeSamples = probeSamples };
        for (int bin = 0; bin < AutoPolicy.Edges.Length; bin++)
        {
            var ids = bins.Where(kv => kv.Value == bin).Select(kv => kv.Key).ToHashSet();
            if (ids.Count == 0) continue;
            var byBudget = new Dictionary<string, string>();
            foreach (int b in budgets)
            {
                var scored = rows.Where(r => ids.Contains(r.ProblemId) && r.Strategy is not ("probe" or "auto" or "sample")
                        && (r.Budget == b || (r.Strategy == "greedy" && b >= 1)))
                    .GroupBy(r => r.Strategy)
                    .Select(g => (Name: g.Key, Acc: g.Average(r => r.Correct ? 1.0 : 0.0), Flops: g.Average(r => r.Ledger.Flops)))
                    .OrderByDescending(x => x.Acc).ThenBy(x => x.Flops).ToList();
                if (scored.Count > 0) byBudget[b.ToString(System.Globalization.CultureInfo.InvariantCulture)] = scored[0].Name;
            }
            policy.Bins.Add(new AutoBin { Bin = bin, MinAgreement = AutoPolicy.Edges[bin], ByBudget = byBudget, Problems = ids.Count });
        }
        return policy;
    }
}
