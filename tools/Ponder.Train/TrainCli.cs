using System.CommandLine;
using Ponder.Tensors;

namespace Ponder.Train;

/// <summary>ponder-train train | sample | eval | plot.</summary>
public static class TrainCli
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("Ponder's trainer for the arith policy and step verifier (TorchSharp, CPU)");
        root.Subcommands.Add(TrainCommand());
        root.Subcommands.Add(SampleCommand());
        root.Subcommands.Add(EvalCommand());
        root.Subcommands.Add(PlotCommand());
        root.Subcommands.Add(VerifyCommand());
        try
        {
            return root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is ArgumentException or IOException or FormatException or Ponder.PonderException)
        {
            Console.Error.WriteLine($"error: {e.Message.ReplaceLineEndings(" ")}");
            return 2;
        }
    }

    static Command SampleCommand()
    {
        var model = new Option<string>("--model", "-m") { Required = true };
        var count = new Option<int>("--count") { DefaultValueFactory = _ => 1000 };
        var n = new Option<int>("--n") { DefaultValueFactory = _ => 4 };
        var temps = new Option<string>("--temps") { Description = "Temperatures, cycled over problems", DefaultValueFactory = _ => "0.8,1.0" };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 1001 };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => 2 };
        var output = new Option<string>("--output", "-o") { Required = true };
        var cmd = new Command("sample", "Sample policy solutions of fresh problems (verifier training data)") { model, count, n, temps, seed, threads, output };
        cmd.SetAction(r =>
        {
            var ts = r.GetValue(temps)!.Split(',').Select(t => float.Parse(t, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            var problems = new Ponder.Reasoning.Tasks.Arith.ArithGenerator(r.GetValue(seed)).Take(r.GetValue(count)).ToList();
            using var runner = new PolicyRunner(r.GetValue(model)!, r.GetValue(threads), r.GetValue(n));
            using var w = new StreamWriter(r.GetValue(output)!);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            for (int t = 0; t < ts.Length; t++)
            {
                var qs = problems.Where((_, i) => i % ts.Length == t).Select(p => p.Question).ToList();
                var outs = runner.Generate(qs, r.GetValue(n), ts[t], r.GetValue(seed) + (ulong)t);
                for (int i = 0; i < qs.Count; i++)
                    foreach (var s in outs[i])
                        w.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { question = qs[i], solution = s, temperature = ts[t] }));
                Console.WriteLine($"T={ts[t]}: {qs.Count} problems ({sw.Elapsed.TotalSeconds:F0}s)");
            }
            return 0;
        });
        return cmd;
    }

    static Command EvalCommand()
    {
        var model = new Option<string>("--model", "-m") { Required = true };
        var prm = new Option<string?>("--prm") { Description = "Step verifier GGUF (adds best-of-n and AUROC)" };
        var count = new Option<int>("--count") { DefaultValueFactory = _ => 1000 };
        var n = new Option<int>("--n") { DefaultValueFactory = _ => 16 };
        var temp = new Option<float>("--temperature") { DefaultValueFactory = _ => 0.8f };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 20261125 };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => 2 };
        var json = new Option<string?>("--json") { Description = "Also write the report as JSON here" };
        var sampleCount = new Option<int>("--sample-count") { Description = "Problems (the first ones) for the sampling metrics; default: all", DefaultValueFactory = _ => -1 };
        var cmd = new Command("eval", "Greedy, pass@n, majority@n (and verifier best-of-n, AUROC) on fresh problems") { model, prm, count, n, temp, seed, threads, json, sampleCount };
        cmd.SetAction(r =>
        {
            var rep = ArithEval.Run(r.GetValue(model)!, r.GetValue(prm), r.GetValue(count), r.GetValue(n), r.GetValue(temp), r.GetValue(seed), r.GetValue(threads), Console.Error, r.GetValue(sampleCount));
            Console.Write(ArithEval.Markdown(rep));
            if (r.GetValue(json) is { } j) ArithEval.WriteJson(rep, j);
            return 0;
        });
        return cmd;
    }

    static Command VerifyCommand()
    {
        var prm = new Option<string>("--prm") { Required = true };
        var samples = new Option<string>("--samples") { Description = "The sample command's JSONL (held-out problems)", Required = true };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => 2 };
        var dump = new Option<string?>("--dump") { Description = "Also write each sample's verdict and lowest line score here (JSONL)" };
        var cmd = new Command("verify", "Judge a step verifier on stored policy samples: AUROC, best-of-n vs majority") { prm, samples, threads, dump };
        cmd.SetAction(r => { Console.WriteLine(ArithEval.Verify(r.GetValue(prm)!, r.GetValue(samples)!, r.GetValue(threads), r.GetValue(dump))); return 0; });
        return cmd;
    }

    static Command PlotCommand()
    {
        var input = new Option<string[]>("--loss") { Description = "loss.csv files (label=path)", Required = true, AllowMultipleArgumentsPerToken = true };
        var output = new Option<string>("--output", "-o") { Required = true };
        var cmd = new Command("plot", "Loss curve PNG (ScottPlot)") { input, output };
        cmd.SetAction(r => { LossPlot.Write(r.GetValue(input)!, r.GetValue(output)!); return 0; });
        return cmd;
    }

    static Command TrainCommand()
    {
        var kind = new Option<string>("--kind") { Description = "policy or prm", DefaultValueFactory = _ => "policy" };
        var outDir = new Option<string>("--out") { Description = "Run folder (checkpoints, loss log); an existing one is resumed", Required = true };
        var export = new Option<string?>("--export") { Description = "Write the final GGUF here" };
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => 2000 };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 32 };
        var lr = new Option<double>("--lr") { DefaultValueFactory = _ => 3e-3 };
        var warmup = new Option<int>("--warmup") { DefaultValueFactory = _ => 50 };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 1 };
        var threads = new Option<int>("--threads") { DefaultValueFactory = _ => 2 };
        var embd = new Option<int>("--embd") { DefaultValueFactory = _ => 128 };
        var layers = new Option<int>("--layers") { DefaultValueFactory = _ => 4 };
        var heads = new Option<int>("--heads") { DefaultValueFactory = _ => 4 };
        var kvHeads = new Option<int>("--kv-heads") { DefaultValueFactory = _ => 4 };
        var ff = new Option<int>("--ff") { DefaultValueFactory = _ => 384 };
        var ctx = new Option<int>("--ctx") { DefaultValueFactory = _ => 256 };
        var type = new Option<string>("--type") { Description = "Exported weight type: F16 or Q8_0", DefaultValueFactory = _ => "F16" };
        var tied = new Option<bool>("--tied") { Description = "Tie the output projection to the token embedding" };
        var ckpt = new Option<double>("--checkpoint-minutes") { DefaultValueFactory = _ => 4 };
        var maxMin = new Option<double>("--max-minutes") { Description = "Stop with a checkpoint after this long; run again to resume", DefaultValueFactory = _ => double.PositiveInfinity };
        var samples = new Option<string?>("--samples") { Description = "prm: JSONL of policy samples {question, solution}" };
        var synth = new Option<double>("--synthetic-share") { Description = "prm: share of synthetic corruptions", DefaultValueFactory = _ => 0.4 };
        var verdictWeight = new Option<double>("--verdict-weight") { Description = "prm: loss weight of the verdicts against the result tokens", DefaultValueFactory = _ => 1 };
        var stopAt = new Option<int>("--stop-at") { Description = "Stop with a checkpoint at this step (resume later, possibly with other settings)", DefaultValueFactory = _ => int.MaxValue };
        var noisy = new Option<double>("--noisy-share") { Description = "prm: share of fresh unreliable-solver solutions (NoisySolver, hurry 0.4, slip 0.7)", DefaultValueFactory = _ => 0 };
        var init = new Option<string?>("--init") { Description = "Start from these weights (checkpoint.weights of the same shape, or of fewer layers: the new layers start as the identity)" };
        var logEvery = new Option<int>("--log-every") { DefaultValueFactory = _ => 10 };
        var minSteps = new Option<int>("--min-steps") { DefaultValueFactory = _ => 2 };
        var maxSteps = new Option<int>("--max-steps") { DefaultValueFactory = _ => 8 };
        var hurry = new Option<double>("--hurry") { Description = "policy: share of hard steps the demonstrating solver does in a hurry (NoisySolver); 0 = reference solutions", DefaultValueFactory = _ => 0 };
        var slip = new Option<double>("--slip") { Description = "policy: chance a hurried hard step slips (NoisySolver)", DefaultValueFactory = _ => 0 };
        var cmd = new Command("train", "Train a policy or a step verifier, checkpointing and resuming")
        {
            kind, outDir, export, steps, batch, lr, warmup, seed, threads, embd, layers, heads, kvHeads, ff, ctx, type, tied, ckpt, maxMin,
            samples, synth, minSteps, maxSteps, logEvery, init, hurry, slip, verdictWeight, noisy, stopAt,
        };
        cmd.SetAction(r =>
        {
            var spec = new ModelSpec
            {
                Embd = r.GetValue(embd), Layers = r.GetValue(layers), Heads = r.GetValue(heads), KvHeads = r.GetValue(kvHeads),
                FeedForward = r.GetValue(ff), Context = r.GetValue(ctx), Tied = r.GetValue(tied),
                WeightType = r.GetValue(type)!.ToUpperInvariant() switch
                {
                    "F16" => GgmlType.F16,
                    "Q8_0" => GgmlType.Q8_0,
                    var t => throw new ArgumentException($"--type {t} cannot be exported; use F16 or Q8_0"),
                },
            };
            spec.Validate();
            string k = r.GetValue(kind)!;
            IExampleSource data = k switch
            {
                "policy" => new PolicySource(r.GetValue(minSteps), r.GetValue(maxSteps), r.GetValue(hurry), r.GetValue(slip)),
                "prm" => new PrmSource(SampleFile.Read(r.GetValue(samples)), r.GetValue(synth), r.GetValue(noisy)),
                _ => throw new ArgumentException($"--kind {k} is not policy or prm"),
            };
            var cfg = new TrainConfig
            {
                Kind = k, OutDir = r.GetValue(outDir)!, Steps = r.GetValue(steps), Batch = r.GetValue(batch), LearningRate = r.GetValue(lr),
                MinLearningRate = r.GetValue(lr) / 10, Warmup = r.GetValue(warmup), Seed = r.GetValue(seed), Threads = r.GetValue(threads),
                CheckpointMinutes = r.GetValue(ckpt), MaxMinutes = r.GetValue(maxMin), LogEvery = r.GetValue(logEvery), InitWeights = r.GetValue(init),
                VerdictWeight = r.GetValue(verdictWeight), StopAt = r.GetValue(stopAt),
            };
            new Trainer(spec, cfg, data, Console.Out).Run(r.GetValue(export), k == "prm" ? "ponder-arith-prm" : "ponder-arith");
            return 0;
        });
        return cmd;
    }
}

/// <summary>Policy samples for verifier training: JSONL lines {"question": ..., "solution": ...}.</summary>
public static class SampleFile
{
    public static List<LabelledSolution> Read(string? path)
    {
        var list = new List<LabelledSolution>();
        if (path == null) return list;
        foreach (var line in File.ReadLines(path))
        {
            if (line.Trim().Length == 0) continue;
            using var d = System.Text.Json.JsonDocument.Parse(line);
            list.Add(new LabelledSolution(d.RootElement.GetProperty("question").GetString()!, d.RootElement.GetProperty("solution").GetString()!));
        }
        return list;
    }
}
