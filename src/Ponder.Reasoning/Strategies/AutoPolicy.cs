using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Ponder.Reasoning.Strategies;

/// <summary>
/// What <c>auto</c> does per difficulty bin, learned by <c>ponder eval</c> and saved as small JSON
/// next to the model (<c>MODEL.auto.json</c>). Difficulty is the agreement of a few probe samples
/// (share of the most common answer): high agreement means an easy problem (Snell et al. 2024 bin
/// by estimated difficulty; agreement is the cheap estimate that needs no verifier).
/// </summary>
public sealed record AutoPolicy
{
    [JsonPropertyName("probe_samples")] public int ProbeSamples { get; init; } = 4;
    [JsonPropertyName("bins")] public List<AutoBin> Bins { get; init; } = [];
    [JsonPropertyName("fallback")] public string Fallback { get; init; } = "self-consistency";

    /// <summary>Agreement thresholds of the bins, hardest first: [0, .5), [.5, .75), [.75, 1), [1, 1].</summary>
    public static readonly double[] Edges = [0, 0.5, 0.75, 1.0];

    public static int BinOf(double agreement)
    {
        int b = 0;
        for (int i = 0; i < Edges.Length; i++) if (agreement >= Edges[i] - 1e-9) b = i;
        return b;
    }

    /// <summary>The strategy for a bin at a budget: the entry for the largest learned budget ≤ N (else the smallest).</summary>
    public string Choose(int bin, int n)
    {
        var b = Bins.FirstOrDefault(x => x.Bin == bin);
        if (b == null || b.ByBudget.Count == 0) return Fallback;
        var keys = b.ByBudget.Keys.Select(k => int.Parse(k, CultureInfo.InvariantCulture)).OrderBy(k => k).ToArray();
        int pick = keys[0];
        foreach (var k in keys) if (k <= n) pick = k;
        return b.ByBudget[pick.ToString(CultureInfo.InvariantCulture)];
    }

    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, Json));

    public static AutoPolicy Load(string path) =>
        JsonSerializer.Deserialize<AutoPolicy>(File.ReadAllText(path)) ?? throw new FormatException($"{path}: not an auto policy");

    /// <summary>Where the policy of a model lives: <c>models/x.gguf</c> → <c>models/x.auto.json</c>.</summary>
    public static string PathFor(string modelPath) => Path.ChangeExtension(modelPath, ".auto.json");
}

public sealed record AutoBin
{
    [JsonPropertyName("bin")] public int Bin { get; init; }
    [JsonPropertyName("min_agreement")] public double MinAgreement { get; init; }
    /// <summary>Budget N (as text, JSON keys) → strategy name.</summary>
    [JsonPropertyName("by_budget")] public Dictionary<string, string> ByBudget { get; init; } = [];
    /// <summary>Problems of the eval that fell in the bin (how much evidence the choice rests on).</summary>
    [JsonPropertyName("problems")] public int Problems { get; init; }
}
