using Ponder.Reasoning.Verifiers;

namespace Ponder.Reasoning.Strategies;

/// <summary>Strategies by name (the CLI's --strategy / --strategies).</summary>
public static class StrategyRegistry
{
    public static readonly string[] Names =
    [
        "greedy", "sample", "self-consistency", "confidence-consistency", "adaptive-consistency", "best-of-n",
        "weighted-best-of-n", "beam", "dvts", "particle-filter", "first-finish", "auto",
    ];

    /// <summary>Strategies that need a process (or outcome) verifier.</summary>
    public static bool NeedsVerifier(string name) => name is "best-of-n" or "weighted-best-of-n" or "beam" or "dvts" or "particle-filter";

    /// <summary>Whether a run of this strategy can call a verifier: those that need one, and <c>auto</c>, whose learned
    /// policy may pick one of them. Commands load the shipped PRM by default for these.</summary>
    public static bool MayUseVerifier(string name) => NeedsVerifier(name) || name is "auto";

    public static ITestTimeStrategy Create(string name, StrategyOptions options, IProcessVerifier? prm = null, IOutcomeVerifier? orm = null,
        AutoPolicy? policy = null) => name.ToLowerInvariant() switch
    {
        "greedy" => new Greedy(),
        "sample" => new RepeatedSampling(options),
        "self-consistency" or "sc" or "majority" => new SelfConsistency(options),
        "confidence-consistency" => new SelfConsistency(options with { Aggregation = Aggregation.Confidence }, "confidence-consistency"),
        "adaptive-consistency" or "adaptive" => new AdaptiveConsistency(options),
        "best-of-n" or "bon" => new BestOfN(options, prm, orm ?? prm as IOutcomeVerifier),
        "weighted-best-of-n" => new Named("weighted-best-of-n", new BestOfN(options with { Aggregation = Aggregation.VerifierWeighted }, prm, orm ?? prm as IOutcomeVerifier)),
        "beam" or "beam-search" => new BeamSearch(options, prm),
        "dvts" => new Dvts(options, prm),
        "particle-filter" or "pf" => new ParticleFilter(options, prm),
        "first-finish" => new FirstFinish(options),
        "auto" => new Auto(options, policy ?? LoadPolicy(options), n => Create(n, options, prm, orm)),
        _ => throw new ArgumentException($"unknown strategy '{name}'; known: {string.Join(", ", Names)}"),
    };

    static AutoPolicy LoadPolicy(StrategyOptions o) =>
        o.AutoPolicyPath != null && File.Exists(o.AutoPolicyPath) ? AutoPolicy.Load(o.AutoPolicyPath) : new AutoPolicy();

    /// <summary>A strategy under another name (a preset of knobs).</summary>
    sealed class Named(string name, ITestTimeStrategy inner) : ITestTimeStrategy
    {
        public string Name => name;
        public async Task<StrategyResult> RunAsync(IGenerator lm, Problem problem, Budget budget, CancellationToken ct = default) =>
            (await inner.RunAsync(lm, problem, budget, ct)) with { Strategy = name };
    }
}
