using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Ponder.Engine;
using Ponder.Models;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary>
/// <c>ponder bench-batch -m MODEL --sequences 1,4,16 --prompt 128 --gen 64 -t 2 [--json]</c>: throughput with
/// N sequences decoding together, as llama.cpp's batched-bench measures it: every sequence has its own
/// prompt; generation speed is the tokens all sequences generate per second of decoding (S_TG).
/// </summary>
public static class BenchBatchCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var sequences = new Option<string>("--sequences") { Description = "Comma-separated sequence counts", DefaultValueFactory = _ => "1,4,16" };
        var prompt = new Option<int>("--prompt") { Description = "Prompt tokens per sequence", DefaultValueFactory = _ => 128 };
        var gen = new Option<int>("--gen") { Description = "Generated tokens per sequence", DefaultValueFactory = _ => 64 };
        var cmd = new Command("bench-batch", "Measure decoding throughput with many sequences at once") { model, threads, sequences, prompt, gen, json };
        cmd.SetAction(async (r, ct) =>
        {
            var counts = CommonOptions.ParseIds(r.GetValue(sequences)!);
            int p = r.GetValue(prompt), g = r.GetValue(gen);
            if (p < 1 || g < 2) throw new ArgumentException("--prompt must be ≥ 1 and --gen ≥ 2");
            using var m = Transformer.Load(CommonOptions.ResolveModel(r.GetValue(model)), r.GetValue(threads));
            int maxSeq = counts.Max();
            using var engine = new InferenceEngine(m, null, new EngineOptions
            {
                KvTokens = maxSeq * (p + g + 16), MaxBatchTokens = 512, MaxRunningSequences = Math.Max(64, maxSeq), PrefixCaching = false,
            });
            var rng = new Random(1);
            await Run(engine, m.Config.VocabSize, 1, Math.Min(p, 32), 4, rng); // warm-up (JIT, caches)
            var results = new List<BatchResult>();
            foreach (int n in counts) results.Add(await Run(engine, m.Config.VocabSize, n, p, g, rng));
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { prompt_tokens = p, gen_tokens = g, threads = m.ThreadCount, results }, CommonOptions.SnakeCase));
                return 0;
            }
            var t = new Table().AddColumns("sequences", "prompt s", "prompt t/s", "gen s", "gen t/s (all)", "gen t/s (per seq)");
            foreach (var x in results)
                t.AddRow(x.Sequences.ToString(), $"{x.PromptSeconds:F2}", $"{x.PromptTokensPerSecond:F1}", $"{x.GenerationSeconds:F2}",
                    $"{x.GenerationTokensPerSecond:F1}", $"{x.GenerationTokensPerSecond / x.Sequences:F1}");
            AnsiConsole.Write(t);
            return 0;
        });
        return cmd;
    }

    public sealed record BatchResult(int Sequences, double PromptSeconds, double PromptTokensPerSecond, double GenerationSeconds,
        double GenerationTokensPerSecond, double TotalSeconds);

    /// <summary>n requests at once; the prompt phase ends when the last sequence has its first token, and the
    /// generation phase covers the remaining gen − 1 decode steps of every sequence.</summary>
    static async Task<BatchResult> Run(InferenceEngine engine, int vocab, int n, int p, int g, Random rng)
    {
        var sw = Stopwatch.StartNew();
        var firsts = new double[n];
        var tasks = new Task[n];
        for (int i = 0; i < n; i++)
        {
            var prompt = Enumerable.Range(0, p).Select(_ => rng.Next(vocab)).ToArray();
            var h = engine.Submit(new GenerationRequest { Prompt = prompt, MaxTokens = g, IgnoreEos = true });
            int idx = i;
            tasks[i] = Task.Run(async () =>
            {
                bool first = true;
                await foreach (var e in h.Events())
                    if (first && !e.IsFinal) { firsts[idx] = sw.Elapsed.TotalSeconds; first = false; }
                await h.Usage;
            });
        }
        await Task.WhenAll(tasks);
        double total = sw.Elapsed.TotalSeconds, promptTime = firsts.Max(), genTime = total - promptTime;
        return new BatchResult(n, promptTime, n * p / promptTime, genTime, n * (g - 1) / genTime, total);
    }
}
