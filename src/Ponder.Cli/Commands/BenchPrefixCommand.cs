using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Ponder.Engine;
using Ponder.Models;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder bench-prefix -m MODEL --prompt 512 [--json]</c>: time to first token for a prompt the
/// cache has never seen (cold) and for the same prompt again (warm: its full blocks come from the prefix cache).</summary>
public static class BenchPrefixCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var prompt = new Option<int>("--prompt") { Description = "Prompt tokens", DefaultValueFactory = _ => 512 };
        var reps = new Option<int>("--repetitions", "-r") { Description = "Prompts measured (median reported)", DefaultValueFactory = _ => 3 };
        var cmd = new Command("bench-prefix", "Time to first token with a cold and a warm prefix cache") { model, threads, prompt, reps, json };
        cmd.SetAction(async (r, ct) =>
        {
            int p = r.GetValue(prompt), runs = r.GetValue(reps);
            if (p < 2 || runs < 1) throw new ArgumentException("--prompt must be ≥ 2 and -r ≥ 1");
            using var m = Transformer.Load(CommonOptions.ResolveModel(r.GetValue(model)), r.GetValue(threads));
            using var engine = new InferenceEngine(m, null, new EngineOptions { KvTokens = (runs + 2) * (p + 32), MaxBatchTokens = 512 });
            var rng = new Random(3);
            int[] Prompt() => Enumerable.Range(0, p).Select(_ => rng.Next(m.Config.VocabSize)).ToArray();

            async Task<double> Ttft(int[] tokens)
            {
                var sw = Stopwatch.StartNew();
                var h = engine.Submit(new GenerationRequest { Prompt = tokens, MaxTokens = 1, IgnoreEos = true });
                double first = 0;
                await foreach (var e in h.Events()) if (first == 0) first = sw.Elapsed.TotalMilliseconds;
                await h.Usage;
                return first;
            }
            await Ttft(Prompt()); // warm-up (JIT)
            var cold = new List<double>();
            var warm = new List<double>();
            for (int i = 0; i < runs; i++)
            {
                var t = Prompt();
                cold.Add(await Ttft(t));
                warm.Add(await Ttft(t));
            }
            double coldMs = Median(cold), warmMs = Median(warm);
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { prompt_tokens = p, cold_ttft_ms = coldMs, warm_ttft_ms = warmMs, ratio = warmMs / coldMs }, CommonOptions.SnakeCase));
                return 0;
            }
            AnsiConsole.Write(new Table().AddColumns("prompt", "cold TTFT ms", "warm TTFT ms", "warm / cold")
                .AddRow(p.ToString(), $"{coldMs:F1}", $"{warmMs:F1}", $"{warmMs / coldMs:P1}"));
            return 0;
        });
        return cmd;
    }

    static double Median(List<double> xs)
    {
        var s = xs.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
