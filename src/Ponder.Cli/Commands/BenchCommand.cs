using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Ponder.Models;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary>
/// <c>ponder bench -m MODEL -p 512 -n 128 -t 2 -r 3 [--json]</c>: prompt processing (one batch of
/// p tokens into an empty cache) and generation (n tokens one at a time from an empty cache),
/// tokens/s mean ± sd over r runs after one warm-up, as llama-bench measures pp and tg.
/// </summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var pp = new Option<int>("--prompt", "-p") { Description = "Prompt tokens (0 = skip)", DefaultValueFactory = _ => 512 };
        var tg = new Option<int>("--gen", "-n") { Description = "Generated tokens (0 = skip)", DefaultValueFactory = _ => 128 };
        var reps = new Option<int>("--repetitions", "-r") { Description = "Timed runs", DefaultValueFactory = _ => 3 };
        var profile = new Option<bool>("--profile") { Description = "Print time per forward-pass phase" };
        var cmd = new Command("bench", "Measure prompt-processing and generation speed") { model, threads, pp, tg, reps, json, profile };
        cmd.SetAction(r =>
        {
            int p = r.GetValue(pp), n = r.GetValue(tg), runs = r.GetValue(reps);
            if (p < 0 || n < 0 || runs < 1) throw new ArgumentException("-p and -n must be ≥ 0 and -r ≥ 1");
            string path = CommonOptions.ResolveModel(r.GetValue(model));
            using var m = Transformer.Load(path, r.GetValue(threads));
            using var s = new InferenceSession(m, Math.Max(p, n) + 1);
            var rng = new Random(42);
            var logits = new float[m.Config.VocabSize];
            int[] Tokens(int count) { var t = new int[count]; for (int i = 0; i < count; i++) t[i] = rng.Next(m.Config.VocabSize); return t; }

            double RunPp() { var t = Tokens(p); s.Reset(); var sw = Stopwatch.StartNew(); s.Evaluate(t, logits); return p / sw.Elapsed.TotalSeconds; }
            double RunTg()
            {
                var t = Tokens(n);
                s.Reset();
                var sw = Stopwatch.StartNew();
                for (int i = 0; i < n; i++) s.Evaluate(t.AsSpan(i, 1), logits);
                return n / sw.Elapsed.TotalSeconds;
            }

            if (r.GetValue(profile)) m.Profile = new ForwardProfile();
            var ppRuns = new List<double>();
            var tgRuns = new List<double>();
            if (p > 0) { RunPp(); for (int i = 0; i < runs; i++) ppRuns.Add(RunPp()); }
            if (n > 0) { RunTg(); for (int i = 0; i < runs; i++) tgRuns.Add(RunTg()); }

            if (m.Profile is { } prof)
                foreach (var (phase, ms) in prof.Totals()) Console.Error.WriteLine($"{phase,-10} {ms,10:F1} ms");
            var (ppMean, ppSd) = Stats(ppRuns);
            var (tgMean, tgSd) = Stats(tgRuns);
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    model = Path.GetFileName(path),
                    threads = m.ThreadCount,
                    prompt_tokens = p,
                    gen_tokens = n,
                    repetitions = runs,
                    pp_tokens_per_second = ppMean,
                    pp_sd = ppSd,
                    tg_tokens_per_second = tgMean,
                    tg_sd = tgSd,
                    model_file_bytes = new FileInfo(path).Length,
                    peak_rss_bytes = System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64,
                }));
                return 0;
            }
            var table = new Table().AddColumn("model").AddColumn("threads").AddColumn("test").AddColumn(new TableColumn("t/s").RightAligned());
            if (p > 0) table.AddRow(Markup.Escape(Path.GetFileName(path)), m.ThreadCount.ToString(), $"pp{p}", $"{ppMean:F2} ± {ppSd:F2}");
            if (n > 0) table.AddRow(Markup.Escape(Path.GetFileName(path)), m.ThreadCount.ToString(), $"tg{n}", $"{tgMean:F2} ± {tgSd:F2}");
            AnsiConsole.Write(table);
            return 0;
        });
        return cmd;
    }

    static (double mean, double sd) Stats(List<double> xs)
    {
        if (xs.Count == 0) return (0, 0);
        double mean = xs.Average();
        double sd = xs.Count > 1 ? Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Count - 1)) : 0;
        return (mean, sd);
    }
}
