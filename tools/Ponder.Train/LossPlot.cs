using System.Globalization;

namespace Ponder.Train;

/// <summary>Loss curves of one or more runs (loss.csv) as a PNG, with ScottPlot.</summary>
public static class LossPlot
{
    public static void Write(IReadOnlyList<string> inputs, string output)
    {
        var plt = new ScottPlot.Plot();
        foreach (var spec in inputs)
        {
            var (label, path) = spec.Contains('=') ? (spec[..spec.IndexOf('=')], spec[(spec.IndexOf('=') + 1)..]) : (Path.GetFileName(Path.GetDirectoryName(spec)) ?? spec, spec);
            var rows = File.ReadLines(path).Skip(1).Select(l => l.Split(',')).ToList();
            var x = rows.Select(r => double.Parse(r[0], CultureInfo.InvariantCulture)).ToArray();
            var y = rows.Select(r => double.Parse(r[1], CultureInfo.InvariantCulture)).ToArray();
            var s = plt.Add.Scatter(x, y);
            s.MarkerSize = 0;
            s.LegendText = label;
        }
        plt.XLabel("training step");
        plt.YLabel("cross-entropy (nats / target token)");
        plt.Title("Ponder arith: training loss");
        plt.ShowLegend();
        plt.SavePng(output, 900, 500);
    }
}
