using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Ponder.Engine;
using Ponder.Grammars;
using Ponder.Grammars.Schema;
using Ponder.Models;
using Ponder.Sampling;
using Ponder.Tokenizers;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary>
/// <c>ponder bench-grammar -m MODEL --json-schema FILE [--tokens 256] [--json]</c>: what a JSON Schema costs. Compile
/// time with a fresh compiler (the tokenizer's one-off vocabulary sort is timed apart), the mask time per generated
/// token (mean, p50, p99) on the engine's own path, and decode tokens/s with and without the grammar: the same prompt
/// and seed, the unconstrained run generating exactly as many tokens as the constrained one did (end-of-sequence
/// ignored), runs alternated so drift in machine load hits both alike. Constrained runs repeat with the next seeds
/// until --tokens masks are timed, since a grammar may end sooner.
/// </summary>
public static class BenchGrammarCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var threads = CommonOptions.Threads();
        var json = CommonOptions.Json();
        var schema = new Option<string>("--json-schema") { Description = "JSON Schema file to benchmark", Required = true };
        var tokens = new Option<int>("--tokens") { Description = "Constrained tokens to time (masks and decoding)", DefaultValueFactory = _ => 256 };
        var prompt = new Option<string>("--prompt", "-p") { Description = "Prompt text", DefaultValueFactory = _ => "Reply with one JSON object:" };
        var sampling = new SamplingOptions();
        var cmd = new Command("bench-grammar", "Measure grammar compile time, mask time per token and generation overhead") { model, threads, schema, tokens, prompt, json };
        sampling.AddTo(cmd);
        cmd.SetAction(async (r, ct) =>
        {
            int want = r.GetValue(tokens);
            if (want < 2) throw new ArgumentException($"--tokens must be at least 2, got {want}");
            var p = sampling.Read(r);
            var path = r.GetValue(schema)!;
            if (!File.Exists(path)) throw new FileNotFoundException($"JSON Schema file not found: {path}");
            var gbnf = JsonSchemaToGbnf.Convert(File.ReadAllText(path));

            using var m = Transformer.Load(CommonOptions.ResolveModel(r.GetValue(model)), r.GetValue(threads));
            var tok = Tokenizer.FromGguf(m.File.Metadata);
            var sw = Stopwatch.StartNew();
            new GrammarCompiler().Compile("root ::= \"a\"", tok); // sorts the vocabulary once per tokenizer
            double vocabMs = sw.Elapsed.TotalMilliseconds;
            var compiled = new GrammarCompiler().Compile(gbnf, tok);

            var ids = tok.Encode(r.GetValue(prompt)!);
            int budget = Math.Min(want, m.Config.ContextLength - ids.Length - 1);
            if (budget < 2) throw new ArgumentException("the prompt leaves no room to generate in the model's context");
            using var engine = new InferenceEngine(m, new TokenizerText(tok), new EngineOptions { KvTokens = ids.Length + budget + 32, PrefixCaching = false });
            await Decode(engine, ids, p, 4, null, ct); // warm-up: JIT and caches
            // The mask code is first compiled by the JIT on its first calls (a few ms once per process, and more for
            // each path first taken: steering, context-dependent walks); one untimed constrained run keeps that
            // one-off cost out of the per-token figures, as the unconstrained warm-up does for decoding.
            await Decode(engine, ids, p with { Seed = (p.Seed ?? 1) + 1000 }, budget, new TokenBudgetMatcher(compiled.CreateMatcher(), budget), ct);

            var ticks = new List<long>(want);
            int constrainedTokens = 0, plainTokens = 0, runs = 0;
            double constrainedSeconds = 0, plainSeconds = 0;
            ulong seed = p.Seed ?? 1;
            while (ticks.Count < want && runs < 64)
            {
                var sp = p with { Seed = seed + (ulong)runs++ };
                var constraint = new TimedConstraint(new TokenBudgetMatcher(compiled.CreateMatcher(), budget), ticks);
                var (n1, s1) = await Decode(engine, ids, sp, budget, constraint, ct);
                if (n1 < 2) continue;
                var (n2, s2) = await Decode(engine, ids, sp, n1, null, ct);
                (constrainedTokens, constrainedSeconds, plainTokens, plainSeconds) =
                    (constrainedTokens + n1 - 1, constrainedSeconds + s1, plainTokens + n2 - 1, plainSeconds + s2);
            }
            var us = ticks.Select(t => t * 1e6 / Stopwatch.Frequency).Order().ToArray();
            var result = new GrammarBenchResult(
                Schema: Path.GetFileName(path), VocabSize: tok.VocabSize, VocabSortMs: vocabMs,
                CompileMs: compiled.CompileTime.TotalMilliseconds, States: compiled.StateCount, CachedMasks: compiled.MaskCacheEntries,
                ContextDependentTokens: compiled.ContextDependentTokens, Masks: us.Length,
                MaskMeanUs: us.Length > 0 ? us.Average() : 0, MaskP50Us: Percentile(us, 0.50), MaskP99Us: Percentile(us, 0.99), MaskMaxUs: us.Length > 0 ? us[^1] : 0,
                Runs: runs, ConstrainedTokensPerSecond: constrainedTokens / Math.Max(constrainedSeconds, 1e-9),
                UnconstrainedTokensPerSecond: plainTokens / Math.Max(plainSeconds, 1e-9), Threads: m.ThreadCount);
            if (r.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(result, CommonOptions.SnakeCase));
                return 0;
            }
            var t = new Table().AddColumns("schema", "compile ms", "states", "masks", "mask mean µs", "p50 µs", "p99 µs", "tok/s grammar", "tok/s free", "overhead");
            t.AddRow(result.Schema, $"{result.CompileMs:F0}", result.States.ToString(), result.Masks.ToString(), $"{result.MaskMeanUs:F1}",
                $"{result.MaskP50Us:F1}", $"{result.MaskP99Us:F1}", $"{result.ConstrainedTokensPerSecond:F1}", $"{result.UnconstrainedTokensPerSecond:F1}",
                $"{result.OverheadPercent:F1}%");
            AnsiConsole.Write(t);
            return 0;
        });
        return cmd;
    }

    public sealed record GrammarBenchResult(string Schema, int VocabSize, double VocabSortMs, double CompileMs, int States, int CachedMasks,
        long ContextDependentTokens, int Masks, double MaskMeanUs, double MaskP50Us, double MaskP99Us, double MaskMaxUs, int Runs,
        double ConstrainedTokensPerSecond, double UnconstrainedTokensPerSecond, int Threads)
    {
        /// <summary>Decode speed lost to the grammar, in percent of the unconstrained speed.</summary>
        public double OverheadPercent => 100 * (1 - ConstrainedTokensPerSecond / UnconstrainedTokensPerSecond);
    }

    static double Percentile(double[] sorted, double q) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];

    /// <summary>One request; returns tokens generated and the seconds from the first token to the last (decode only).</summary>
    static async Task<(int Tokens, double Seconds)> Decode(InferenceEngine engine, int[] prompt, SamplingParams p, int max,
        ITokenConstraint? constraint, CancellationToken ct)
    {
        var h = engine.Submit(new GenerationRequest { Prompt = prompt, Sampling = p, MaxTokens = max, IgnoreEos = constraint == null, Constraint = constraint }, ct);
        long first = 0, last = 0;
        int n = 0;
        await foreach (var e in h.Events(ct))
        {
            if (e.IsFinal) continue;
            last = Stopwatch.GetTimestamp();
            if (n++ == 0) first = last;
        }
        await h.Usage;
        return (n, (last - first) / (double)Stopwatch.Frequency);
    }
}
