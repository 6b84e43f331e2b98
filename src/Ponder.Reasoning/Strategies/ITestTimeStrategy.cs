using Ponder.Reasoning.Verifiers;

namespace Ponder.Reasoning.Strategies;

/// <summary>A test-time compute strategy (DESIGN §3): one file each, the engine only through <see cref="IGenerator"/>.</summary>
public interface ITestTimeStrategy
{
    string Name { get; }
    Task<StrategyResult> RunAsync(IGenerator lm, Problem problem, Budget budget, CancellationToken ct = default);
}

/// <summary>How voting strategies weigh candidates.</summary>
public enum Aggregation
{
    /// <summary>One vote per candidate (self-consistency).</summary>
    Majority,
    /// <summary>Each vote weighs exp(mean token logprob) (confidence-weighted voting).</summary>
    Confidence,
    /// <summary>Each vote weighs its verifier score (weighted best-of-n, Li et al. 2023).</summary>
    VerifierWeighted,
    /// <summary>The single highest-scoring candidate.</summary>
    Best,
}

public enum StopRule { Margin, Beta }

/// <summary>Every strategy knob in one place (each strategy reads the ones it has).</summary>
public sealed record StrategyOptions
{
    public float Temperature { get; init; } = 0.8f;
    public ulong Seed { get; init; }
    /// <summary>Vote weighting; null = the strategy's own default.</summary>
    public Aggregation? Aggregation { get; init; }
    /// <summary>PRM step-score aggregation; null = the strategy's default (min for best-of-n, last for search).</summary>
    public PrmAggregation? PrmAggregation { get; init; }
    /// <summary>M: expansions per beam (beam, dvts).</summary>
    public int Expansions { get; init; } = 4;
    /// <summary>Samples per round of adaptive consistency.</summary>
    public int RoundSize { get; init; } = 4;
    public StopRule StopRule { get; init; } = StopRule.Beta;
    /// <summary>Beta rule: stop when P(leader's share &gt; runner-up's) reaches this.</summary>
    public double StopConfidence { get; init; } = 0.95;
    /// <summary>Particle filter: softmax temperature over rewards when resampling.</summary>
    public double ResampleTemperature { get; init; } = 0.1;
    /// <summary>Particle filter: final answer by the highest weight (false) or a weighted vote (true).</summary>
    public bool WeightedVoteFinal { get; init; }
    /// <summary>Auto: samples of the difficulty probe.</summary>
    public int ProbeSamples { get; init; } = 4;
    /// <summary>Auto: the learned policy file (null: built-in fallback).</summary>
    public string? AutoPolicyPath { get; init; }
}

/// <summary>Helpers every strategy shares.</summary>
internal static class StrategyKit
{
    public static StrategyResult Result(string name, IGenerator lm, string? answer, IReadOnlyList<Candidate> candidates,
        Dictionary<string, string>? notes = null) => new()
    {
        Strategy = name,
        Answer = answer,
        Candidates = candidates.Select(c => c with { Chosen = answer != null && c.Answer == answer }).ToArray(),
        Ledger = lm.Ledger.Snapshot(),
        Notes = notes ?? new(),
    };

    public static SampleSettings Sampling(StrategyOptions o, Budget b, ulong salt = 0) => new()
    {
        Temperature = o.Temperature, Seed = Mix(o.Seed, salt), MaxTokens = b.MaxTokens,
    };

    public static StepSettings Steps(StrategyOptions o, Budget b, Problem p) => new()
    {
        Temperature = o.Temperature, Seed = o.Seed, Separator = p.StepSeparator, MaxStepTokens = b.MaxStepTokens,
        MaxSteps = b.MaxSteps, IsFinalStep = s => p.Extract(s) != null,
    };

    public static ulong Mix(ulong seed, ulong salt) => salt == 0 ? seed : Ponder.Sampling.Sampler.DeriveSeed(seed ^ 0x5EED, (int)(salt & 0x7FFFFFFF));

    public static Candidate FromCompletion(Problem p, Completion c, double votes = 1) => new()
    {
        Text = c.Text, Answer = p.Extract(c.Text), Votes = votes, MeanLogprob = c.MeanLogprob, Tokens = c.Tokens, Finished = c.Finished,
    };

    public static IProcessVerifier NeedPrm(IProcessVerifier? prm, string name) =>
        prm ?? throw new ArgumentException($"strategy '{name}' needs a process verifier; pass --prm PRM_MODEL.gguf");

    /// <summary>Ballots of candidates under an aggregation (scores must be set for verifier weighting).</summary>
    public static Ballot[] Ballots(IReadOnlyList<Candidate> cs, Aggregation how) => cs.Select(c => new Ballot(c.Answer, how switch
    {
        Aggregation.Confidence => Voting.Confidence(c.MeanLogprob),
        Aggregation.VerifierWeighted => c.Score ?? 0,
        _ => 1,
    }, c.MeanLogprob)).ToArray();

    /// <summary>The answer of the highest score (ties: higher mean logprob, then the first).</summary>
    public static string? BestAnswer(IReadOnlyList<Candidate> cs)
    {
        Candidate? best = null;
        foreach (var c in cs)
            if (best == null || (c.Score ?? 0) > (best.Score ?? 0) || ((c.Score ?? 0) == (best.Score ?? 0) && c.MeanLogprob > best.MeanLogprob)) best = c;
        return best?.Answer;
    }

    public static Candidate FromPartial(Problem p, IPartial x, IReadOnlyList<double> stepScores, double score) => new()
    {
        Text = x.Text, Answer = p.Extract(x.Text), Score = score, StepScores = stepScores.ToArray(),
        MeanLogprob = x.Tokens == 0 ? 0 : x.LogprobSum / x.Tokens, Tokens = x.Tokens, Finished = x.Finished, Votes = 1,
    };
}
