using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Ponder.Engine;
using Ponder.Models;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary>
/// <c>ponder bench-parallel -m MODEL --prompt 512 --n 16 --gen 64 [--json]</c>: what parallel sampling saves.
/// (a) one request with n = 16, whose prompt is prefilled once and forked; (b) 16 separate requests for the
/// same prompt with the prefix cache off. Prints wall time, prompt tokens computed and peak KV blocks of each.
/// </summary>
public static class BenchParallelCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var prompt = new Option<int>("--prompt") { Description = "Prompt tokens", DefaultValueFactory = _ => 512 };
        var n = new Option<int>("--n") { Description = "Samples", DefaultValueFactory = _ => 16 };
        var gen = new Option<int>("--gen") { Description = "Generated tokens per sample", DefaultValueFactory = _ => 64 };
        var cmd = new Command("bench-parallel", "Compare one n-sample request (shared prefill) with n separate requests") { model, threads, prompt, n, gen, json };
        cmd.SetAction(async (r, ct) =>
        {
            int p = r.GetValue(prompt), k = r.GetValue(n), g = r.GetValue(gen);
            if (p < 1 || k < 1 || g < 1) throw new ArgumentException("--prompt, --n and --gen must be positive");
            using var m = Transformer.Load(CommonOptions.ResolveModel(r.GetValue(model)), r.GetValue(threads));
            const int blockTokens = 16;
            using var engine = new InferenceEngine(m, null, new EngineOptions
            {
                BlockTokens = blockTokens, KvTokens = k * (p + g + blockTokens), MaxBatchTokens = 512, MaxN = Math.Max(k, 1),
                MaxRunningSequences = Math.Max(64, k),
            });
            var rng = new Random(2);
            var tokens = Enumerable.Range(0, p).Select(_ => rng.Next(m.Config.VocabSize)).ToArray();
            var sampling = new Ponder.Sampling.SamplingParams { Temperature = 0.8f, Seed = 42 };
            await engine.GenerateAsync(new GenerationRequest { Prompt = tokens[..Math.Min(p, 16)], MaxTokens = 2, IgnoreEos = true, NoPrefixCache = true }); // warm-up

            async Task<Phase> Measure(Func<Task<int>> body)
            {
                engine.ResetPeak();
                var sw = Stopwatch.StartNew();
                int computed = await body();
                return new Phase(computed, engine.Stats.PeakUsedBlocks, sw.Elapsed.TotalSeconds);
            }
            var fork = await Measure(async () =>
            {
                var res = await engine.GenerateAsync(new GenerationRequest { Prompt = tokens, N = k, MaxTokens = g, IgnoreEos = true, Sampling = sampling, NoPrefixCache = true });
                return res.Usage.PromptTokensComputed;
            });
            var separate = await Measure(async () =>
            {
                var all = await Task.WhenAll(Enumerable.Range(0, k).Select(i => engine.GenerateAsync(new GenerationRequest
                {
                    Prompt = tokens, MaxTokens = g, IgnoreEos = true, NoPrefixCache = true,
                    Sampling = sampling with { Seed = Ponder.Sampling.Sampler.DeriveSeed(42, i) },
                })));
                return all.Sum(x => x.Usage.PromptTokensComputed);
            });
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new { block_tokens = blockTokens, prompt_tokens = p, n = k, gen_tokens = g, fork, separate }, CommonOptions.SnakeCase));
                return 0;
            }
            var t = new Table().AddColumns("", "wall s", "prompt tokens computed", "peak KV blocks");
            t.AddRow($"one request, n={k}", $"{fork.WallSeconds:F2}", fork.PromptTokensComputed.ToString(), fork.PeakKvBlocks.ToString());
            t.AddRow($"{k} requests, no prefix cache", $"{separate.WallSeconds:F2}", separate.PromptTokensComputed.ToString(), separate.PeakKvBlocks.ToString());
            AnsiConsole.Write(t);
            return 0;
        });
        return cmd;
    }

    public sealed record Phase(int PromptTokensComputed, int PeakKvBlocks, double WallSeconds);
}
