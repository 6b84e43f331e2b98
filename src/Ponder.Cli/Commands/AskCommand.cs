using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ponder.Reasoning;
using Ponder.Reasoning.Strategies;
using Ponder.Reasoning.Verifiers;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary>
/// <c>ponder ask "QUESTION" [-m MODEL] [--prm PRM] --strategy NAME --budget N [--json]</c>: answers one
/// question with a test-time compute strategy and shows the candidates and the compute ledger.
/// </summary>
public static class AskCommand
{
    public static Command Create()
    {
        var question = new Argument<string>("question") { Description = "The question (an arith problem such as 37+48-19*3, or free text)" };
        var model = CommonOptions.Model();
        var prm = new Option<string?>("--prm") { Description = "Process reward model GGUF (default: models/ponder-arith-prm.gguf when present)" };
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var k = new StrategyKnobs();
        var cmd = new Command("ask", "Answer a question with a test-time compute strategy") { question, model, prm, threads, json };
        k.AddTo(cmd);
        cmd.SetAction(async (r, ct) =>
        {
            var budget = k.Limits(r) with { N = r.GetValue(k.Budget) };
            budget.Validate();
            string name = r.GetValue(k.Strategy)!;
            var options = k.Options(r);
            string modelPath = r.GetValue(model) ?? ReasoningHost.FindShipped("models/ponder-arith.gguf") ?? CommonOptions.ResolveModel(null);
            string? prmPath = r.GetValue(prm) ?? (StrategyRegistry.MayUseVerifier(name) ? ReasoningHost.FindShipped("models/ponder-arith-prm.gguf") : null);
            using var host = new ReasoningHost(modelPath, prmPath, budget.N, budget, r.GetValue(threads));
            var strategy = host.Create(name, options);
            var problem = Problem.FromQuestion(r.GetValue(question)!);
            var result = await host.Runner.RunAsync(strategy, problem, budget, ct);
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(result, CommonOptions.SnakeCase));
                return 0;
            }
            Print(result);
            return 0;
        });
        return cmd;
    }

    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Print(StrategyResult r)
    {
        AnsiConsole.MarkupLine($"[bold]answer:[/] {Markup.Escape(r.Answer ?? "(none)")}   [grey]({Markup.Escape(r.Strategy)})[/]");
        foreach (var (key, v) in r.Notes) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(key)}: {Markup.Escape(v)}[/]");
        var t = new Table().Border(TableBorder.Rounded).Title("candidates");
        foreach (var c in new[] { "#", "answer", "votes", "score", "step scores", "mean logprob", "tokens", "end", "text" }) t.AddColumn(c);
        int i = 0;
        foreach (var c in r.Candidates.Take(64))
        {
            string text = new string(c.Text.Replace("\n", " ⏎ ", StringComparison.Ordinal).Select(ch => char.IsControl(ch) || ch == '\uFFFD' ? '·' : ch).ToArray());
            if (text.Length > 60) text = text[..57] + "...";
            string ans = Markup.Escape(c.Answer ?? "-");
            t.AddRow((i++).ToString(Inv), c.Chosen ? $"[green bold]{ans}[/]" : ans, c.Votes.ToString("0.###", Inv),
                c.Score?.ToString("0.###", Inv) ?? "", c.StepScores == null ? "" : string.Join(" ", c.StepScores.Select(s => s.ToString("0.00", Inv))),
                c.MeanLogprob.ToString("0.###", Inv), c.Tokens.ToString(Inv), c.Finished ? "done" : "cut", Markup.Escape(text));
        }
        AnsiConsole.Write(t);
        AnsiConsole.Write(Ledger(r.Ledger));
    }

    public static Table Ledger(LedgerSnapshot l)
    {
        var t = new Table().Border(TableBorder.Rounded).Title("compute ledger").AddColumn("").AddColumn(new TableColumn("policy").RightAligned()).AddColumn(new TableColumn("verifier").RightAligned());
        t.AddRow("prompt tokens computed", l.PromptTokensComputed.ToString(Inv), l.VerifierTokensComputed.ToString(Inv));
        t.AddRow("prompt tokens from cache", l.PromptTokensCached.ToString(Inv), l.VerifierTokensCached.ToString(Inv));
        t.AddRow("context kept by sessions", l.ContextTokensReused.ToString(Inv), "");
        t.AddRow("generated tokens", l.GeneratedTokens.ToString(Inv), l.VerifierGeneratedTokens.ToString(Inv));
        t.AddRow("forwarded tokens", l.ForwardTokens.ToString(Inv), l.VerifierTokensComputed.ToString(Inv));
        t.AddRow("forward passes", l.ForwardPasses.ToString(Inv), l.VerifierForwardPasses.ToString(Inv));
        t.AddRow("FLOPs", l.PolicyFlops.ToString("0.000e+0", Inv), l.VerifierFlops.ToString("0.000e+0", Inv));
        t.AddRow("total FLOPs / wall", l.Flops.ToString("0.000e+0", Inv), $"{l.WallSeconds:0.00} s");
        if (l.Preemptions > 0) t.AddRow("preemptions", l.Preemptions.ToString(Inv), "");
        return t;
    }
}

/// <summary>The strategy flags <c>ask</c> and <c>eval</c> share.</summary>
internal sealed class StrategyKnobs
{
    public Option<string> Strategy { get; } = new("--strategy", "-s") { Description = $"Strategy: {string.Join(", ", StrategyRegistry.Names)}", DefaultValueFactory = _ => "self-consistency" };
    public Option<int> Budget { get; } = new("--budget", "-n") { Description = "Budget N (samples, candidates per step, particles)", DefaultValueFactory = _ => 8 };
    public Option<float> Temperature { get; } = new("--temp") { Description = "Sampling temperature", DefaultValueFactory = _ => 0.8f };
    public Option<ulong> Seed { get; } = new("--seed") { Description = "Seed (same seed, same run)", DefaultValueFactory = _ => 0 };
    public Option<int> MaxTokens { get; } = new("--max-tokens") { Description = "Most tokens per solution", DefaultValueFactory = _ => 256 };
    public Option<int> MaxStepTokens { get; } = new("--max-step-tokens") { Description = "Most tokens per step (step-level search)", DefaultValueFactory = _ => 48 };
    public Option<int> MaxSteps { get; } = new("--max-steps") { Description = "Most steps per solution (step-level search)", DefaultValueFactory = _ => 24 };
    public Option<int> Expansions { get; } = new("--expansions", "-M") { Description = "M: expansions per beam (beam, dvts)", DefaultValueFactory = _ => 4 };
    public Option<string?> Aggregation { get; } = new("--aggregation") { Description = "Voting: majority, confidence, verifier-weighted, best" };
    public Option<string?> PrmAggregation { get; } = new("--prm-aggregation") { Description = "PRM step scores: last, min, product" };
    public Option<int> RoundSize { get; } = new("--round-size") { Description = "Adaptive consistency: samples per round", DefaultValueFactory = _ => 4 };
    public Option<string> StopRule { get; } = new("--stop-rule") { Description = "Adaptive consistency: beta or margin", DefaultValueFactory = _ => "beta" };
    public Option<double> ResampleTemperature { get; } = new("--resample-temp") { Description = "Particle filter: softmax temperature over rewards", DefaultValueFactory = _ => 0.1 };
    public Option<bool> WeightedVote { get; } = new("--weighted-vote") { Description = "Particle filter: final answer by weighted vote instead of the heaviest particle" };
    public Option<string?> AutoPolicy { get; } = new("--auto-policy") { Description = "auto: policy JSON (default: MODEL.auto.json)" };

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { Strategy, Budget, Temperature, Seed, MaxTokens, MaxStepTokens, MaxSteps, Expansions, Aggregation, PrmAggregation, RoundSize, StopRule, ResampleTemperature, WeightedVote, AutoPolicy })
            c.Options.Add(o);
    }

    public Budget Limits(ParseResult r) => new(1) { MaxTokens = r.GetValue(MaxTokens), MaxStepTokens = r.GetValue(MaxStepTokens), MaxSteps = r.GetValue(MaxSteps) };

    public StrategyOptions Options(ParseResult r) => new()
    {
        Temperature = r.GetValue(Temperature),
        Seed = r.GetValue(Seed),
        Expansions = r.GetValue(Expansions),
        Aggregation = r.GetValue(Aggregation) switch
        {
            null => null,
            "majority" => Reasoning.Strategies.Aggregation.Majority,
            "confidence" => Reasoning.Strategies.Aggregation.Confidence,
            "verifier-weighted" or "weighted" => Reasoning.Strategies.Aggregation.VerifierWeighted,
            "best" => Reasoning.Strategies.Aggregation.Best,
            var s => throw new ArgumentException($"--aggregation '{s}' is not one of majority, confidence, verifier-weighted, best"),
        },
        PrmAggregation = r.GetValue(PrmAggregation) is { } p ? StepScores.Parse(p) : null,
        RoundSize = r.GetValue(RoundSize),
        StopRule = r.GetValue(StopRule) switch
        {
            "beta" => Reasoning.Strategies.StopRule.Beta,
            "margin" => Reasoning.Strategies.StopRule.Margin,
            var s => throw new ArgumentException($"--stop-rule '{s}' is not one of beta, margin"),
        },
        ResampleTemperature = r.GetValue(ResampleTemperature),
        WeightedVoteFinal = r.GetValue(WeightedVote),
        AutoPolicyPath = r.GetValue(AutoPolicy),
    };
}
