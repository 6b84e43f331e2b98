using System.CommandLine;
using System.Globalization;
using Ponder.Reasoning;
using Ponder.Reasoning.Eval;
using Ponder.Reasoning.Strategies;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary>
/// <c>ponder eval (--task arith [--count 500 --seed S] | --problems FILE.jsonl) --strategies LIST
/// --budgets 1,2,4,... [--limit N] --out DIR</c>: every problem × strategy × budget through the engine,
/// with progress bars; writes results.jsonl (resumable), summary.csv, accuracy_vs_compute.png,
/// coverage.png and report.md.
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var task = new Option<string?>("--task") { Description = "Generated task family: arith" };
        var count = new Option<int>("--count") { Description = "Problems to generate", DefaultValueFactory = _ => 500 };
        var problemsFile = new Option<string?>("--problems") { Description = "Problems as JSONL lines {\"question\": ..., \"answer\": ...}" };
        var strategies = new Option<string>("--strategies") { Description = "Comma-separated strategies", DefaultValueFactory = _ => "greedy,self-consistency" };
        var budgets = new Option<string>("--budgets") { Description = "Comma-separated budgets N", DefaultValueFactory = _ => "1,2,4,8,16,32,64" };
        var limit = new Option<int?>("--limit") { Description = "Only the first N problems" };
        var output = new Option<string>("--out", "-o") { Description = "Output directory", Required = true };
        var model = CommonOptions.Model();
        var prm = new Option<string?>("--prm") { Description = "Process reward model GGUF (default: models/ponder-arith-prm.gguf when present)" };
        var policyOut = new Option<string?>("--policy-out") { Description = "Where to save the learned auto policy besides DIR (default: MODEL.auto.json; 'none' to skip)" };
        var threads = CommonOptions.Threads();
        var parallel = new Option<int>("--parallel") { Description = "Problems run at once (1 = exact forward-pass counts; more batches across problems, FLOPs stay exact)", DefaultValueFactory = _ => 1 };
        var k = new StrategyKnobs();
        var cmd = new Command("eval", "Accuracy vs test-time compute of strategies and budgets, with plots")
        {
            task, count, problemsFile, strategies, budgets, limit, output, model, prm, policyOut, threads, parallel,
        };
        foreach (var o in new Option[] { k.Temperature, k.Seed, k.MaxTokens, k.MaxStepTokens, k.MaxSteps, k.Expansions, k.Aggregation, k.PrmAggregation, k.RoundSize, k.StopRule, k.ResampleTemperature, k.WeightedVote })
            cmd.Options.Add(o);
        cmd.SetAction(async (r, ct) =>
        {
            List<Problem> problems;
            if (r.GetValue(problemsFile) is { } file) problems = ProblemSet.Jsonl(file);
            else if (r.GetValue(task) is "arith") problems = ProblemSet.Arith(r.GetValue(count), r.GetValue(k.Seed));
            else throw new ArgumentException("give --task arith or --problems FILE.jsonl");
            if (r.GetValue(limit) is { } n) problems = problems.Take(n).ToList();
            var names = r.GetValue(strategies)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => s.ToLowerInvariant()).ToList();
            var bs = r.GetValue(budgets)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int b) && b > 0 ? b : throw new ArgumentException($"budget '{s}' is not a positive integer"))
                .Distinct().Order().ToList();
            var options = k.Options(r);
            foreach (var name in names) _ = StrategyRegistry.Create(name, options with { AutoPolicyPath = null }); // unknown names fail before any work
            string modelPath = r.GetValue(model) ?? ReasoningHost.FindShipped("models/ponder-arith.gguf") ?? CommonOptions.ResolveModel(null);
            string? prmPath = r.GetValue(prm) ?? (names.Any(StrategyRegistry.MayUseVerifier) ? ReasoningHost.FindShipped("models/ponder-arith-prm.gguf") : null);
            if (prmPath == null && names.FirstOrDefault(StrategyRegistry.NeedsVerifier) is { } needs)
                throw new ArgumentException($"strategy '{needs}' needs a process verifier; pass --prm PRM_MODEL.gguf");
            var limits = k.Limits(r);
            int par = Math.Max(1, r.GetValue(parallel));
            using var host = new ReasoningHost(modelPath, prmPath, bs.Max(), limits, r.GetValue(threads), par);
            string? po = r.GetValue(policyOut);
            var runner = new EvalRunner
            {
                Problems = problems, Strategies = names, Budgets = bs, OutDir = r.GetValue(output)!, Limits = limits, Options = options,
                PolicyPath = po == "none" ? null : po ?? Ponder.Reasoning.Strategies.AutoPolicy.PathFor(modelPath),
                Create = (name, policy) => host.Create(name, options, policy),
                Parallelism = par,
                Run = (s, p, b, c) => host.Runner.RunAsync(s, p, b, c, exclusive: par == 1),
            };
            List<EvalRow> rows = [];
            await AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .StartAsync(async ctx =>
                {
                    var bars = names.ToDictionary(nm => nm, nm => ctx.AddTask(nm, maxValue: problems.Count * (nm == "auto" ? bs.Count + 1 : runner.BudgetsOf(nm))));
                    var progress = new SyncProgress(p => bars[p.Strategy].Value = p.Done);
                    rows = await runner.RunAsync(progress, ct);
                    foreach (var b in bars.Values) b.Value = b.MaxValue;
                });
            EvalReport.WriteAll(runner.OutDir, rows);
            var t = new Table().Border(TableBorder.Rounded).Title("accuracy vs compute");
            foreach (var c in new[] { "strategy", "N", "problems", "accuracy", "coverage", "mean FLOPs", "gen tokens", "passes" }) t.AddColumn(c);
            foreach (var s in EvalReport.Summarize(rows))
                t.AddRow(s.Strategy, s.Budget.ToString(CultureInfo.InvariantCulture), s.Problems.ToString(CultureInfo.InvariantCulture),
                    $"{100 * s.Accuracy:0.0}%", s.Coverage is { } cv ? $"{100 * cv:0.0}%" : "", s.MeanFlops.ToString("0.00e+0", CultureInfo.InvariantCulture),
                    s.MeanGenerated.ToString("0.#", CultureInfo.InvariantCulture), s.MeanForwardPasses.ToString("0.#", CultureInfo.InvariantCulture));
            AnsiConsole.Write(t);
            AnsiConsole.MarkupLine($"wrote [bold]{Markup.Escape(runner.OutDir)}[/]: results.jsonl, summary.csv, accuracy_vs_compute.png, coverage.png, report.md");
            return 0;
        });
        return cmd;
    }

    /// <summary>Reports synchronously (Progress&lt;T&gt; would post to the thread pool and race the final values).</summary>
    sealed class SyncProgress(Action<EvalProgress> report) : IProgress<EvalProgress>
    {
        public void Report(EvalProgress value) => report(value);
    }
}
