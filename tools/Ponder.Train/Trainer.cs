using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ponder.Train;

/// <summary>Optimisation settings; together with the model spec and the data they fix the run.</summary>
public sealed record TrainConfig
{
    public required string Kind { get; init; }       // "policy" | "prm"
    public required string OutDir { get; init; }
    public int Steps { get; init; } = 2000;
    public int Batch { get; init; } = 32;
    public double LearningRate { get; init; } = 3e-3;
    public double MinLearningRate { get; init; } = 3e-4;
    public int Warmup { get; init; } = 50;
    public double WeightDecay { get; init; } = 0.05;
    public ulong Seed { get; init; } = 1;
    public int Threads { get; init; } = 2;
    public double CheckpointMinutes { get; init; } = 4;
    /// <summary>Stop (with a checkpoint) after this many minutes; a later run resumes.</summary>
    public double MaxMinutes { get; init; } = double.PositiveInfinity;
    /// <summary>Stop (with a checkpoint) at this step, inside the schedule of <see cref="Steps"/>: a run whose later part
    /// changes its settings (data, seed, schedule) resumes from there.</summary>
    public int StopAt { get; init; } = int.MaxValue;
    public int LogEvery { get; init; } = 10;
    /// <summary>Start from these weights (a checkpoint.weights of the same shape, or of fewer layers: see Run), e.g. the verifier from the policy.</summary>
    public string? InitWeights { get; init; }
    /// <summary>prm: loss weight of the verdicts (at the markers) against the auxiliary result tokens. A line's verdict is
    /// one token among many, and the informative ones (a line's first mistake) are rarer still.</summary>
    public double VerdictWeight { get; init; } = 1;
}

/// <summary>
/// The training loop: AdamW, linear warm-up then cosine decay to the minimum rate, gradient
/// clipping at 1, data made per step from (seed, step) so resuming is exact. A checkpoint
/// (weights, optimizer moments, step, spec) is written every few minutes and at the end, along
/// with a GGUF export of the weights at that step; a run with the same out folder resumes from it.
/// </summary>
public sealed class Trainer(ModelSpec spec, TrainConfig cfg, IExampleSource data, TextWriter log)
{
    public const string CheckpointWeights = "checkpoint.weights", CheckpointOptimizer = "checkpoint.optim",
        CheckpointMeta = "checkpoint.json", LossLog = "loss.csv";

    public double LearningRateAt(int step)
    {
        if (step < cfg.Warmup) return cfg.LearningRate * (step + 1) / cfg.Warmup;
        double t = (double)(step - cfg.Warmup) / Math.Max(1, cfg.Steps - cfg.Warmup);
        return cfg.MinLearningRate + 0.5 * (cfg.LearningRate - cfg.MinLearningRate) * (1 + Math.Cos(Math.PI * Math.Min(1, t)));
    }

    Tensor Loss(Tensor logits, Tensor inp, Tensor tgt)
    {
        var flat = tgt.view(-1);
        if (cfg.VerdictWeight == 1) return nn.functional.cross_entropy(logits.view(-1, CharVocab.Size), flat, ignore_index: -100);
        var ce = nn.functional.cross_entropy(logits.view(-1, CharVocab.Size), flat, ignore_index: -100, reduction: nn.Reduction.None);
        var w = torch.where(inp.view(-1) == CharVocab.Id(CharVocab.Marker), (float)cfg.VerdictWeight, 1.0f) * (flat != -100).to_type(ScalarType.Float32);
        return (ce * w).sum() / w.sum();
    }

    /// <summary>Pads a batch on the right; returns inputs, targets [B, T].</summary>
    public static (Tensor Input, Tensor Target) Collate(IReadOnlyList<Example> ex)
    {
        int T = 0;
        foreach (var e in ex) T = Math.Max(T, e.Ids.Length);
        var inp = new long[ex.Count * T];
        var tgt = new long[ex.Count * T];
        Array.Fill(tgt, -100);
        for (int b = 0; b < ex.Count; b++)
        {
            for (int i = 0; i < ex[b].Ids.Length; i++)
            {
                inp[b * T + i] = ex[b].Ids[i];
                tgt[b * T + i] = ex[b].Targets[i];
            }
            for (int i = ex[b].Ids.Length; i < T; i++) inp[b * T + i] = CharVocab.Eos;
        }
        return (torch.tensor(inp, [ex.Count, T]), torch.tensor(tgt, [ex.Count, T]));
    }

    public LlamaModel Run(string? exportPath = null, string name = "ponder-arith")
    {
        spec.Validate();
        TorchRuntime.Ensure(cfg.Threads);
        Directory.CreateDirectory(cfg.OutDir);
        var model = new LlamaModel(spec, CharVocab.Size, (long)cfg.Seed);
        var opt = torch.optim.AdamW(model.parameters(), cfg.LearningRate, 0.9, 0.95, 1e-8, cfg.WeightDecay);
        int start = 0;
        string meta = Path.Combine(cfg.OutDir, CheckpointMeta);
        string lossPath = Path.Combine(cfg.OutDir, LossLog);
        if (File.Exists(meta))
        {
            var m = JsonSerializer.Deserialize<CheckpointInfo>(File.ReadAllText(meta))!;
            if (m.Spec != spec) throw new ArgumentException($"{cfg.OutDir} holds a checkpoint of another model shape ({m.Spec}); use another --out");
            model.load(Path.Combine(cfg.OutDir, CheckpointWeights));
            opt.load_state_dict(Path.Combine(cfg.OutDir, CheckpointOptimizer));
            start = m.Step;
            TrimLog(lossPath, start);
            log.WriteLine($"resumed from step {start} ({cfg.OutDir})");
        }
        else
        {
            File.WriteAllText(lossPath, "step,loss,lr,seconds\n");
            if (cfg.InitWeights != null)
            {
                var loaded = new Dictionary<string, bool>();
                model.load(cfg.InitWeights, strict: false, loadedParameters: loaded);
                // A deeper model grows from a shallower one: the layers the file lacks start as the identity (their
                // output projections zero), so the grown model computes exactly what the initial one did.
                var fresh = model.Named.Where(n => !loaded.GetValueOrDefault(n.Name.Replace('.', '_'))).ToList();
                if (fresh.Any(n => !n.Name.StartsWith("blk.", StringComparison.Ordinal)))
                    throw new ArgumentException($"{cfg.InitWeights} lacks {string.Join(", ", fresh.Select(n => n.Name))}: it is not a model of this shape or a shallower one");
                using (torch.no_grad())
                    foreach (var (n, p, _) in fresh)
                        if (n.EndsWith("attn_output.weight", StringComparison.Ordinal) || n.EndsWith("ffn_down.weight", StringComparison.Ordinal)) p.zero_();
                log.WriteLine($"initialised from {cfg.InitWeights}" + (fresh.Count > 0 ? $" ({fresh.Select(n => n.Name.Split('.')[1]).Distinct().Count()} new layers on top, starting as the identity)" : ""));
            }
        }
        double priorSeconds = File.Exists(meta) ? JsonSerializer.Deserialize<CheckpointInfo>(File.ReadAllText(meta))!.Seconds : 0;

        log.WriteLine($"{cfg.Kind}: {spec.ParameterCount(CharVocab.Size):N0} parameters, steps {start}..{cfg.Steps}, batch {cfg.Batch}, threads {cfg.Threads}");
        var sw = Stopwatch.StartNew();
        var lastCkpt = Stopwatch.StartNew();
        double lossSum = 0;
        int lossN = 0;
        int step = start;
        using var lossWriter = new StreamWriter(lossPath, append: true) { AutoFlush = true };
        for (; step < cfg.Steps; step++)
        {
            if (sw.Elapsed.TotalMinutes >= cfg.MaxMinutes || step >= cfg.StopAt) break;
            double lr = LearningRateAt(step);
            foreach (var g in opt.ParamGroups) g.LearningRate = lr;
            var ex = new Example[cfg.Batch];
            for (int i = 0; i < ex.Length; i++) ex[i] = data.Make(cfg.Seed, step, i);
            using (var scope = torch.NewDisposeScope())
            {
                var (inp, tgt) = Collate(ex);
                var logits = model.forward(inp);
                var loss = Loss(logits, inp, tgt);
                opt.zero_grad();
                loss.backward();
                nn.utils.clip_grad_norm_(model.parameters(), 1.0);
                opt.step();
                double l = loss.item<float>();
                if (double.IsNaN(l)) throw new InvalidOperationException($"loss became NaN at step {step}; lower --lr");
                lossSum += l;
                lossN++;
            }
            if ((step + 1) % cfg.LogEvery == 0 || step + 1 == cfg.Steps)
            {
                double secs = priorSeconds + sw.Elapsed.TotalSeconds;
                lossWriter.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{step + 1},{lossSum / lossN:F5},{lr:E3},{secs:F1}"));
                log.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {step + 1}/{cfg.Steps} loss {lossSum / lossN:F4} lr {lr:E2} {secs:F0}s"));
                lossSum = 0;
                lossN = 0;
            }
            if (lastCkpt.Elapsed.TotalMinutes >= cfg.CheckpointMinutes && step + 1 < cfg.Steps)
            {
                Save(model, opt, step + 1, priorSeconds + sw.Elapsed.TotalSeconds, name);
                lastCkpt.Restart();
            }
        }
        Save(model, opt, step, priorSeconds + sw.Elapsed.TotalSeconds, name);
        if (exportPath != null && step >= cfg.Steps)
        {
            GgufExport.Write(model, exportPath, name, Provenance(step));
            log.WriteLine($"exported {exportPath}");
        }
        return model;
    }

    Dictionary<string, string> Provenance(int step) => new()
    {
        ["general.description"] = $"{cfg.Kind} for the Ponder arith task; trained by tools/Ponder.Train, seed {cfg.Seed}, step {step}",
    };

    void Save(LlamaModel model, AdamW opt, int step, double seconds, string name)
    {
        model.save(Path.Combine(cfg.OutDir, CheckpointWeights + ".tmp"));
        File.Move(Path.Combine(cfg.OutDir, CheckpointWeights + ".tmp"), Path.Combine(cfg.OutDir, CheckpointWeights), true);
        opt.save_state_dict(Path.Combine(cfg.OutDir, CheckpointOptimizer));
        File.WriteAllText(Path.Combine(cfg.OutDir, CheckpointMeta), JsonSerializer.Serialize(new CheckpointInfo(step, seconds, spec)));
        // Every checkpoint is also a runnable model, so an earlier, weaker one can be shipped.
        GgufExport.Write(model, Path.Combine(cfg.OutDir, $"step-{step:D6}.gguf"), name, Provenance(step));
        log.WriteLine($"checkpoint at step {step}");
    }

    static void TrimLog(string path, int step)
    {
        if (!File.Exists(path)) { File.WriteAllText(path, "step,loss,lr,seconds\n"); return; }
        var keep = File.ReadAllLines(path).Where((l, i) => i == 0 || int.Parse(l.Split(',')[0], CultureInfo.InvariantCulture) <= step);
        File.WriteAllLines(path, keep);
    }

    public sealed record CheckpointInfo(int Step, double Seconds, ModelSpec Spec);
}
