using System.Diagnostics;
using System.IO.Compression;
using Ponder.Gguf;
using Ponder.Grammars;
using Ponder.Sampling;
using Ponder.Tokenizers;

namespace Ponder.Bench;

/// <summary>
/// Grammar cost with Qwen2.5's vocabulary: compile time per grammar (fresh compiler, so no cache hit) and
/// FillNextTokenMask time per token along seeded random walks that pick allowed tokens (leaning towards closing
/// tokens so walks finish). A plain timing loop rather than BenchmarkDotNet because the quantity is a distribution
/// over grammar states (mean and p99 along a walk), not one repeated call.
/// Usage: <c>dotnet run -c Release --project bench/Ponder.Bench -- grammar [--tokens N] [--walks W] [--repeat R] [--baseline] [files...]</c>;
/// compile time is the fastest of R fresh compiles (default 3);
/// <c>--baseline</c> also times the compile with the mask cache built the previous way (no work shared between
/// similar positions, no skipping of dead prefixes), alternating with the timed compiles.
/// </summary>
internal static class GrammarMaskTiming
{
    public static void Run(string[] args)
    {
        var tokens = 256;
        var walks = 8;
        var verbose = false;
        var repeat = 3;
        var baseline = false; // also time the previous mask precompute, in the same run
        var inner = 1; // > 1: time each mask as the fastest of this many fills of the same state (the work without the machine's noise)
        string? replay = null; // token ids per line (one walk per line), e.g. what the CLI benchmark's model generated
        var budget = 0; // > 0: masks through a TokenBudgetMatcher with this many tokens, as the CLI and server use them
        var files = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == "--tokens") tokens = int.Parse(args[++i]);
            else if (args[i] == "--walks") walks = int.Parse(args[++i]);
            else if (args[i] == "--verbose") verbose = true;
            else if (args[i] == "--baseline") baseline = true;
            else if (args[i] == "--repeat") repeat = int.Parse(args[++i]);
            else if (args[i] == "--inner") inner = int.Parse(args[++i]);
            else if (args[i] == "--replay") replay = args[++i];
            else if (args[i] == "--budget") budget = int.Parse(args[++i]);
            else files.Add(args[i]);
        }
        var root = FindTestData();
        if (files.Count == 0) files.AddRange(Directory.GetFiles(Path.Combine(root, "grammars"), "*.gbnf").Order());

        var sw = Stopwatch.StartNew();
        var tok = LoadQwen(Path.Combine(root, "vocab", "ggml-vocab-qwen2.gguf.gz"));
        Console.WriteLine($"vocabulary: {tok.VocabSize} tokens, loaded in {sw.ElapsedMilliseconds} ms");
        // The sorted vocabulary is built once per tokenizer; time it apart from grammar compiles.
        sw.Restart();
        new GrammarCompiler().Compile("root ::= \"x\"", tok);
        Console.WriteLine($"per-tokenizer preprocessing (sorted vocabulary, first compile): {sw.ElapsedMilliseconds} ms");
        Console.WriteLine();
        Console.WriteLine($"{"grammar",-24} {"compile ms",10} {"walked k",8} {"states",7} {"masks",6} {"ctx-dep",8} {"tokens",7} {"mean µs",8} {"p50 µs",7} {"p99 µs",7} {"max µs",7}");

        var mask = new uint[TokenBitmask.WordCount(tok.VocabSize)];
        var allowed = new List<int>();
        var eos = tok.EosId!.Value;
        foreach (var file in files)
        {
            var gbnf = File.ReadAllText(file);
            if (file.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) gbnf = Ponder.Grammars.Schema.JsonSchemaToGbnf.Convert(gbnf);
            // Warm the JIT on this grammar, then time fresh compiles (the fastest of several: on a shared machine the
            // slower ones measure the other load). The baseline, when asked for, is timed alternately with them.
            new GrammarCompiler().Compile(gbnf, tok);
            CompiledGrammar compiled = null!;
            var compileMs = double.MaxValue;
            var baselineMs = double.MaxValue;
            TokenMaskCache? unshared = null;
            if (baseline) unshared = Unshared(new GrammarCompiler().Compile(gbnf, tok), out _);
            for (var r = 0; r < repeat; r++)
            {
                compiled = new GrammarCompiler().Compile(gbnf, tok);
                compileMs = Math.Min(compileMs, compiled.CompileTime.TotalMilliseconds);
                if (!baseline) continue;
                unshared = Unshared(compiled, out var ms);
                baselineMs = Math.Min(baselineMs, ms);
            }
            var times = new List<double>();
            var slow = new List<(double Us, GrammarMatcher.FillStats Stats, bool Steering)>();
            var worstWalk = (Us: 0.0, Text: "");
            var gcSteps = 0;
            var replayed = replay == null ? null : File.ReadAllLines(replay).Where(l => l.Trim().Length > 0).Select(l => l.Trim().Split(' ').Select(int.Parse).ToArray()).ToArray();
            if (replayed != null) walks = replayed.Length;
            for (var w = -1; w < walks; w++) // walk -1 warms the JIT on the matcher and is not counted
            {
                var rng = new Random(w + 1);
                var m = compiled.CreateMatcher();
                ITokenConstraint c = budget > 0 ? new TokenBudgetMatcher(m, budget) : m;
                for (var step = 0; step < tokens && !c.IsTerminated; step++)
                {
                    var gc0 = GC.CollectionCount(0);
                    m.LastFill = default;
                    var t0 = Stopwatch.GetTimestamp();
                    c.FillNextTokenMask(mask);
                    var t1 = Stopwatch.GetTimestamp();
                    for (var k = 1; k < inner; k++)
                    {
                        var r0 = Stopwatch.GetTimestamp();
                        c.FillNextTokenMask(mask);
                        var r1 = Stopwatch.GetTimestamp();
                        if (r1 - r0 < t1 - t0) (t0, t1) = (r0, r1);
                    }
                    if (GC.CollectionCount(0) != gc0) gcSteps++;
                    var us = (t1 - t0) * 1e6 / Stopwatch.Frequency;
                    if (w >= 0) times.Add(us);
                    if (w >= 0 && verbose) slow.Add((us, m.LastFill, c is TokenBudgetMatcher { Steering: true }));
                    if (w >= 0 && verbose && m.LastFill.Walked > 0 && us > worstWalk.Us) worstWalk = (us, m.DescribeStacks());
                    var t = replayed != null ? (step < replayed[Math.Max(w, 0)].Length ? replayed[Math.Max(w, 0)][step] : eos) : Pick(rng, mask, tok, eos, allowed);
                    if (replayed != null && step >= replayed[Math.Max(w, 0)].Length) break;
                    if (!c.Accept(t)) throw new InvalidOperationException($"mask allowed token {t} but Accept refused it");
                }
            }
            times.Sort();
            var mean = times.Average();
            Console.WriteLine($"{Path.GetFileName(file),-24} {compileMs,10:0} {compiled.MaskTokensWalked / 1000,8} {compiled.StateCount,7} {compiled.MaskCacheEntries,6} " +
                              $"{compiled.ContextDependentTokens,8} {times.Count,7} {mean,8:0.0} {Pct(times, 0.5),7:0.0} {Pct(times, 0.99),7:0.0} {times[^1],7:0.0}" + (gcSteps > 0 ? $"  ({gcSteps} steps saw a GC)" : ""));
            if (verbose)
            {
                // Where the time goes: the slowest steps with what the fill did, and totals by kind of step.
                slow.Sort((a, b) => b.Us.CompareTo(a.Us));
                foreach (var (us, st, steer) in slow.Take(8))
                    Console.WriteLine($"  slow: {us,8:0} µs  stacks {st.Stacks,4} entries {st.Entries,4} uncertain {st.Uncertain,6} walked {st.Walked,6} accepted {st.Accepted,5} steps {st.Steps} visits {st.Visits} nodes {st.NodesMade}{(st.Cached ? " cached" : "")}{(steer ? " steering" : "")}");
                Console.Write($"  slowest step that walked context-dependent tokens ({worstWalk.Us:0} µs):\n{worstWalk.Text}");
                double total = 0, withWalk = 0, steering = 0;
                foreach (var (us, st, steer) in slow)
                {
                    total += us;
                    if (steer) steering += us;
                    else if (st.Walked > 0) withWalk += us;
                }
                Console.WriteLine($"  time share: steps that walk context-dependent tokens {100 * withWalk / total:0}%, steering {100 * steering / total:0}%; " +
                                  $"steps that walked {slow.Count(x => x.Stats.Walked > 0)}, replayed a walk {slow.Count(x => x.Stats.Cached)}, steered {slow.Count(x => x.Steering)} of {slow.Count}");
                var a0 = Stopwatch.GetTimestamp();
                AutomatonBuilder.Build(compiled.Grammar, GrammarCompilerOptions.Default, CancellationToken.None);
                Console.WriteLine($"  of the compile: automaton {Stopwatch.GetElapsedTime(a0).TotalMilliseconds:0.0} ms, "
                                  + $"sharing plan {compiled.MaskCache.PlanTime.TotalMilliseconds:0.0} ms");
            }
            if (baseline)
                Console.WriteLine($"{"  previous precompute",-24} {baselineMs,10:0} {unshared!.TokensWalked / 1000,8} {"",7} {unshared.EntryCount,6}");
        }
    }

    /// <summary>The same grammar compiled with the mask cache built the previous way (identical-edge sharing only,
    /// every token whose first byte fits walked from every entry), and the time that whole compile takes.</summary>
    static TokenMaskCache Unshared(CompiledGrammar compiled, out double ms)
    {
        var t0 = Stopwatch.GetTimestamp();
        var pda = AutomatonBuilder.Build(compiled.Grammar, GrammarCompilerOptions.Default, CancellationToken.None);
        var cache = TokenMaskCache.Build(pda, compiled.Vocabulary, () => false, "", reference: true);
        ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
        return cache;
    }

    static double Pct(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    static int Pick(Random rng, uint[] mask, Tokenizer tok, int eos, List<int> allowed)
    {
        allowed.Clear();
        for (var t = 0; t < tok.VocabSize; t++)
            if (TokenBitmask.IsAllowed(mask, t)) allowed.Add(t);
        if (TokenBitmask.IsAllowed(mask, eos) && rng.Next(2) == 0) return eos;
        if (rng.Next(4) == 0)
        {
            var closing = allowed.FindAll(t => tok.TokenText(t) is "\"" or "}" or "]" or "\"}" or "\"]" or "\n" or "0" or "1");
            if (closing.Count > 0) return closing[rng.Next(closing.Count)];
        }
        return allowed[rng.Next(allowed.Count)];
    }

    static Tokenizer LoadQwen(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        using var g = GgufFile.FromBytes(ms.GetBuffer().AsSpan(0, (int)ms.Length));
        return Tokenizer.FromGguf(g.Metadata);
    }

    static string FindTestData()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        {
            var p = Path.Combine(d.FullName, "testdata");
            if (Directory.Exists(Path.Combine(p, "grammars"))) return p;
        }
        throw new DirectoryNotFoundException("testdata/grammars not found above the benchmark binaries");
    }
}
