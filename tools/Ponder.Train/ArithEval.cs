using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ponder.Engine;
using Ponder.Models;
using Ponder.Reasoning.Tasks.Arith;
using Ponder.Reasoning.Verifiers;
using Ponder.Sampling;
using Ponder.Tokenizers;

namespace Ponder.Train;

/// <summary>Runs the arith policy through Ponder's batched engine: greedy and n-sample generations
/// of many problems at once (the engine batches across requests).</summary>
public sealed class PolicyRunner : IDisposable
{
    public const int MaxSolutionTokens = 200;
    readonly Transformer _model;
    readonly Tokenizer _tok;
    readonly InferenceEngine _engine;

    public PolicyRunner(string path, int threads, int n)
    {
        _model = Transformer.Load(path, threads);
        _tok = Tokenizer.FromGguf(_model.File.Metadata);
        int seqs = 64;
        _engine = new InferenceEngine(_model, new TokenizerText(_tok), new EngineOptions
        {
            KvTokens = (seqs + n) * (MaxSolutionTokens + 48), MaxRunningSequences = seqs, MaxN = Math.Max(n, 1), MaxBatchTokens = 512,
        });
    }

    /// <summary>Completions of each question: n per question at the given temperature (0 = greedy).</summary>
    public string[][] Generate(IReadOnlyList<string> questions, int n, float temperature, ulong seed)
    {
        var tasks = new Task<GenerationResult>[questions.Count];
        for (int i = 0; i < questions.Count; i++)
        {
            var sp = temperature == 0 ? SamplingParams.Greedy : new SamplingParams { Temperature = temperature, Seed = PolicySource.Mix(seed, i, 77) };
            tasks[i] = _engine.GenerateAsync(new GenerationRequest { Prompt = _tok.Encode(questions[i]), Sampling = sp, MaxTokens = MaxSolutionTokens, N = n });
        }
        Task.WaitAll(tasks);
        return tasks.Select(t => t.Result.Error != null ? throw new PonderException(t.Result.Error) : t.Result.Sequences.Select(s => s.Text).ToArray()).ToArray();
    }

    public void Dispose()
    {
        _engine.Dispose();
        _model.Dispose();
    }
}

/// <summary>Per-k and overall results of <see cref="ArithEval.Run"/>.</summary>
public sealed record EvalRow(string K, int Count, int SampledCount, double Greedy, double PassAtN, double MajorityAtN, double? PrmBestOfN, double? MeanSampleAccuracy);

public sealed record EvalReport(int Problems, int N, float Temperature, ulong Seed, List<EvalRow> Rows, double? StepAuroc, int ScoredSteps, double Seconds);

/// <summary>
/// The evaluation of the issue: fresh problems (k uniform 2..8), greedy accuracy, pass@n and
/// majority@n of n samples at a temperature, and with a verifier: best-of-n by the lowest line score,
/// and the step-level AUROC of the verifier's scores against the exact checker's verdicts.
/// </summary>
public static class ArithEval
{
    public static EvalReport Run(string policy, string? prm, int count, int n, float temperature, ulong seed, int threads, TextWriter log, int sampleCount = -1)
    {
        var sw = Stopwatch.StartNew();
        var problems = new ArithGenerator(seed).Take(count).ToList();
        var qs = problems.Select(p => p.Question).ToList();
        string[] greedy;
        string[][] samples;
        using (var runner = new PolicyRunner(policy, threads, n))
        {
            greedy = runner.Generate(qs, 1, 0, seed).Select(s => s[0]).ToArray();
            log.WriteLine($"greedy done ({sw.Elapsed.TotalSeconds:F0}s)");
            // Sampling metrics on the first sampleCount problems (k is uniform, so any prefix is a fair subset).
            int sc = sampleCount < 0 ? count : Math.Min(sampleCount, count);
            samples = runner.Generate(qs.Take(sc).ToList(), n, temperature, seed);
            log.WriteLine($"samples done ({sw.Elapsed.TotalSeconds:F0}s)");
        }
        float[][]? prmScore = null; // per problem, per sample: min line score
        var stepScores = new List<(float Score, bool Label)>();
        if (prm != null)
        {
            var (lines, steps) = ScoreSamples(prm, problems, samples, threads);
            prmScore = lines.Select(LowestLines).ToArray();
            stepScores = steps;
            log.WriteLine($"verifier done ({sw.Elapsed.TotalSeconds:F0}s)");
        }

        var rows = new List<EvalRow>();
        for (int k = 1; k <= 9; k++)
        {
            var idx = Enumerable.Range(0, count).Where(i => k == 9 || problems[i].Steps == k).ToList();
            if (idx.Count == 0) continue;
            double G = 0, P = 0, M = 0, B = 0, S = 0;
            foreach (int i in idx) if (ArithChecker.IsCorrect(problems[i], greedy[i])) G++;
            var sidx = idx.Where(i => i < samples.Length).ToList();
            foreach (int i in sidx)
            {
                var v = Judge(problems[i], samples[i], prmScore?[i]);
                if (v.Pass) P++;
                S += v.ShareRight;
                if (v.MajorityRight) M++;
                if (v.BestRight == true) B++;
            }
            double c = idx.Count, cs = Math.Max(1, sidx.Count);
            rows.Add(new EvalRow(k == 9 ? "all" : k.ToString(CultureInfo.InvariantCulture), idx.Count, sidx.Count, G / c, P / cs, M / cs,
                prmScore != null ? B / cs : null, S / cs));
        }
        return new EvalReport(count, n, temperature, seed, rows, prm != null ? Auroc(stepScores) : null, stepScores.Count, sw.Elapsed.TotalSeconds);
    }

    /// <summary>The verifier's line scores for every sample (per problem, per sample, per line), and every (score,
    /// exact-checker label) pair for the AUROC.</summary>
    public static (float[][][] Lines, List<(float Score, bool Label)> Steps) ScoreSamples(string prm, IReadOnlyList<ArithProblem> problems,
        IReadOnlyList<string[]> samples, int threads)
    {
        using var m = Transformer.Load(prm, threads);
        using var v = new ArithStepVerifier(m);
        var lines = new float[samples.Count][][];
        var steps = new List<(float, bool)>();
        for (int i = 0; i < samples.Count; i++)
        {
            lines[i] = new float[samples[i].Length][];
            for (int j = 0; j < samples[i].Length; j++)
            {
                var s = lines[i][j] = v.Score(problems[i].Question, samples[i][j]);
                var labels = PrmSource.Labels(problems[i], samples[i][j]);
                for (int l = 0; l < Math.Min(s.Length, labels.Length); l++) steps.Add((s[l], labels[l]));
            }
        }
        return (lines, steps);
    }

    /// <summary>A sample's lowest line score, what best-of-n ranks by (0 for a sample with no line).</summary>
    static float[] LowestLines(float[][] sampleLines) => sampleLines.Select(s => s.Length == 0 ? 0 : s.Min()).ToArray();

    /// <summary>A verifier judged on stored policy samples (the <c>sample</c> command's JSONL, n lines per
    /// question in a row): step-level AUROC, and best-of-n by the lowest line score against majority@n.</summary>
    public static string Verify(string prm, string samplesPath, int threads, string? dump = null)
    {
        var groups = SampleFile.Read(samplesPath).GroupBy(s => s.Question).ToList();
        var problems = groups.Select(g => ArithProblem.Parse(g.Key)).ToList();
        var samples = groups.Select(g => g.Select(s => s.Solution).ToArray()).ToList();
        var (lines, steps) = ScoreSamples(prm, problems, samples, threads);
        var min = lines.Select(LowestLines).ToArray();
        if (dump != null)
        {
            using var w = new StreamWriter(dump);
            for (int i = 0; i < problems.Count; i++)
                for (int j = 0; j < samples[i].Length; j++)
                    w.WriteLine(JsonSerializer.Serialize(new { problem = i, question = problems[i].Question, solution = samples[i][j],
                        correct = ArithChecker.IsCorrect(problems[i], samples[i][j]), min = min[i][j],
                        labels = PrmSource.Labels(problems[i], samples[i][j]), scores = lines[i][j] }));
        }
        double best = 0, major = 0, pass = 0, mean = 0;
        for (int i = 0; i < problems.Count; i++)
        {
            var v = Judge(problems[i], samples[i], min[i]);
            if (v.BestRight == true) best++;
            if (v.MajorityRight) major++;
            if (v.Pass) pass++;
            mean += v.ShareRight;
        }
        double c = problems.Count;
        return string.Create(CultureInfo.InvariantCulture,
            $"problems {c}, samples each {samples[0].Length}: AUROC {Auroc(steps):F3} over {steps.Count} lines; best-of-n {best / c:P1}, majority {major / c:P1}, pass {pass / c:P1}, mean sample {mean / c:P1}");
    }

    /// <summary>One problem's samples judged: any right, the share right, the majority answer right, and (given each
    /// sample's lowest line score) whether the sample best-of-n keeps is right.</summary>
    public readonly record struct SampleVerdicts(bool Pass, double ShareRight, bool MajorityRight, bool? BestRight);

    public static SampleVerdicts Judge(ArithProblem p, IReadOnlyList<string> samples, float[]? minScores)
    {
        var answers = samples.Select(ArithChecker.ExtractAnswer).ToArray();
        int right = answers.Count(a => a == p.Answer);
        bool? best = null;
        if (minScores != null)
        {
            int b = 0;
            for (int j = 1; j < answers.Length; j++) if (minScores[j] > minScores[b]) b = j;
            best = answers[b] == p.Answer;
        }
        return new(right > 0, (double)right / answers.Length, Majority(answers) == p.Answer, best);
    }

    /// <summary>The most frequent extracted answer (ties: the one seen first); null answers do not vote.</summary>
    public static long? Majority(IReadOnlyList<long?> answers)
    {
        var counts = new Dictionary<long, int>();
        var order = new List<long>();
        foreach (var a in answers)
        {
            if (a is not long x) continue;
            if (!counts.TryAdd(x, 1)) counts[x]++;
            else order.Add(x);
        }
        long? best = null;
        int bestN = 0;
        foreach (var x in order) // first seen wins a tie
            if (counts[x] > bestN) { best = x; bestN = counts[x]; }
        return best;
    }

    /// <summary>Area under the ROC curve = P(score of a right step &gt; score of a wrong one), ties half.</summary>
    public static double Auroc(IReadOnlyList<(float Score, bool Label)> xs)
    {
        var sorted = xs.OrderBy(x => x.Score).ToArray();
        double pos = sorted.Count(x => x.Label), neg = sorted.Length - pos;
        if (pos == 0 || neg == 0) return double.NaN;
        double rankSum = 0;
        for (int i = 0; i < sorted.Length;)
        {
            int j = i;
            while (j < sorted.Length && sorted[j].Score == sorted[i].Score) j++;
            double rank = (i + 1 + j) / 2.0; // average 1-based rank of the tie group
            for (int t = i; t < j; t++) if (sorted[t].Label) rankSum += rank;
            i = j;
        }
        return (rankSum - pos * (pos + 1) / 2) / (pos * neg);
    }

    public static string Markdown(EvalReport r)
    {
        bool prm = r.Rows[0].PrmBestOfN != null;
        var sb = new StringBuilder();
        sb.Append($"| k | problems (sampled) | greedy | pass@{r.N} | majority@{r.N} |");
        sb.Append(prm ? $" PRM best-of-{r.N} |" : "").Append(" mean sample acc |\n");
        sb.Append("|---|---:|---:|---:|---:|").Append(prm ? "---:|" : "").Append("---:|\n");
        foreach (var row in r.Rows)
        {
            sb.Append(CultureInfo.InvariantCulture, $"| {row.K} | {row.Count} ({row.SampledCount}) | {100 * row.Greedy:F1}% | {100 * row.PassAtN:F1}% | {100 * row.MajorityAtN:F1}% |");
            if (prm) sb.Append(CultureInfo.InvariantCulture, $" {100 * row.PrmBestOfN:F1}% |");
            sb.Append(CultureInfo.InvariantCulture, $" {100 * row.MeanSampleAccuracy:F1}% |\n");
        }
        if (r.StepAuroc is double a) sb.Append(CultureInfo.InvariantCulture, $"\nStep-level AUROC of the verifier: {a:F3} over {r.ScoredSteps} scored lines.\n");
        return sb.ToString().Replace("\u00a0", " ");
    }

    public static void WriteJson(EvalReport r, string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(r, new JsonSerializerOptions { WriteIndented = true }));
}
