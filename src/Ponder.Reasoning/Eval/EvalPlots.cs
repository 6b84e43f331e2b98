using ScottPlot;

namespace Ponder.Reasoning.Eval;

/// <summary>-log(coverage) ≈ A·k^B (Brown et al. 2024, "Large Language Monkeys").</summary>
public sealed record PowerLawFit(double A, double B, int MaxK, string Source)
{
    public double Coverage(double k) => Math.Exp(-A * Math.Pow(k, B));
}

/// <summary>The eval's plots, drawn with ScottPlot.</summary>
public static class EvalPlots
{
    /// <summary>Accuracy against log10 of mean FLOPs per problem, one line per strategy.</summary>
    public static void AccuracyVsCompute(string path, IReadOnlyList<SummaryRow> summary)
    {
        var plt = new Plot();
        plt.Add.Palette = new ScottPlot.Palettes.Category20();
        foreach (var g in summary.GroupBy(s => s.Strategy))
        {
            var pts = g.Where(s => s.MeanFlops > 0).OrderBy(s => s.MeanFlops).ToArray();
            if (pts.Length == 0) continue;
            var sc = plt.Add.Scatter(pts.Select(s => Math.Log10(s.MeanFlops)).ToArray(), pts.Select(s => 100 * s.Accuracy).ToArray());
            sc.LegendText = g.Key;
            sc.MarkerSize = 6;
        }
        plt.XLabel("compute per problem: log10 FLOPs (policy + verifier, from the ledger)");
        plt.YLabel("accuracy (%)");
        plt.Title("Accuracy vs test-time compute");
        plt.Axes.SetLimitsY(0, 100);
        plt.ShowLegend(Alignment.UpperLeft);
        plt.SavePng(path, 1000, 600);
    }

    /// <summary>Coverage (pass@k) against k with the fitted power law. pass@k is the unbiased estimate
    /// 1 - C(n-c, k)/C(n, k) from each problem's largest repeated-sampling run (Chen et al. 2021).</summary>
    public static PowerLawFit? Coverage(string path, IReadOnlyList<EvalRow> rows)
    {
        var plt = new Plot();
        PowerLawFit? fit = null;
        string source = rows.Any(r => r.Strategy == "sample" && r.Expected != null) ? "sample" : "self-consistency";
        var runs = rows.Where(r => r.Strategy == source && r.Expected != null && r.Candidates > 0)
            .GroupBy(r => r.ProblemId).Select(g => g.OrderByDescending(r => r.Candidates).First()).ToList();
        if (runs.Count > 0)
        {
            int n = runs.Min(r => r.Candidates);
            var ks = Enumerable.Range(1, n).Where(k => (k & (k - 1)) == 0 || k == n).ToArray();
            var cov = ks.Select(k => runs.Average(r => PassAtK(r.Candidates, r.CorrectCandidates, k))).ToArray();
            var sc = plt.Add.Scatter(ks.Select(k => Math.Log2(k)).ToArray(), cov.Select(c => 100 * c).ToArray());
            sc.LegendText = $"{source}: pass@k ({runs.Count} problems)";
            var usable = ks.Select((k, i) => (k, c: cov[i])).Where(x => x.c > 0 && x.c < 1).ToArray();
            if (usable.Length >= 2)
            {
                // ln(-ln c) = ln A + B ln k: least squares on the usable points.
                var xs = usable.Select(x => Math.Log(x.k)).ToArray();
                var ys = usable.Select(x => Math.Log(-Math.Log(x.c))).ToArray();
                double mx = xs.Average(), my = ys.Average();
                double sxx = xs.Sum(x => (x - mx) * (x - mx)), sxy = xs.Select((x, i) => (x - mx) * (ys[i] - my)).Sum();
                double b = sxx == 0 ? 0 : sxy / sxx, a = Math.Exp(my - b * mx);
                fit = new PowerLawFit(a, b, n, source);
                var fk = Enumerable.Range(0, 100).Select(i => 1 + i * (n * 4.0 - 1) / 99).ToArray();
                var line = plt.Add.Scatter(fk.Select(Math.Log2).ToArray(), fk.Select(k => 100 * fit.Coverage(k)).ToArray());
                line.MarkerSize = 0;
                line.LegendText = $"fit: -log(cov) = {a:0.###}·k^{b:0.###}";
            }
        }
        else plt.Add.Annotation("no repeated-sampling rows with known answers");
        plt.XLabel("log2 k (samples)");
        plt.YLabel("coverage = pass@k (%)");
        plt.Title("Coverage vs samples");
        plt.Axes.SetLimitsY(0, 100);
        plt.ShowLegend(Alignment.UpperLeft);
        plt.SavePng(path, 900, 550);
        return fit;
    }

    /// <summary>Unbiased pass@k from n samples of which c are right.</summary>
    public static double PassAtK(int n, int c, int k)
    {
        if (n - c < k) return 1;
        double p = 1;
        for (int i = n - c + 1; i <= n; i++) p *= 1 - (double)k / i;
        return 1 - p;
    }
}
