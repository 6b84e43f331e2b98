using Ponder.Engine;

namespace Ponder.Reasoning;

/// <summary>
/// The engine as a strategy sees it (DESIGN §3). One implementation runs in-process over
/// <see cref="InferenceEngine"/> sessions (<see cref="Generation.EngineGenerator"/>); another could
/// speak to a remote replica. Every call that takes many candidates submits them all before
/// awaiting any, so they advance together in the engine's batched steps.
/// </summary>
public interface IGenerator
{
    /// <summary>Counts everything this generator and the verifiers it is used with spend.</summary>
    ComputeLedger Ledger { get; }

    /// <summary><paramref name="n"/> whole solutions of <paramref name="prompt"/>: the prompt is
    /// prefilled once and forked; sequence i samples with a seed derived from (seed, i).</summary>
    Task<IReadOnlyList<Completion>> SampleAsync(string prompt, int n, SampleSettings settings, CancellationToken ct = default);

    /// <summary>A partial solution at the prompt (prefilled once), for step-level search.</summary>
    Task<IPartial> StartAsync(string prompt, StepSettings settings, CancellationToken ct = default);

    /// <summary>For each request, a fork of its partial (reseeded) extended by one step. All forks
    /// advance together; the partials passed in stay valid (dispose them when done).</summary>
    Task<IReadOnlyList<IPartial>> ExtendAsync(IReadOnlyList<StepRequest> requests, CancellationToken ct = default);
}

public sealed record SampleSettings
{
    public float Temperature { get; init; } = 0.8f;
    public ulong Seed { get; init; }
    public int MaxTokens { get; init; } = 256;
    /// <summary>Cancel the others as soon as one sequence ends on its own (first-finish).</summary>
    public bool StopAtFirstFinish { get; init; }
}

public sealed record StepSettings
{
    public float Temperature { get; init; } = 0.8f;
    public ulong Seed { get; init; }
    public string Separator { get; init; } = "\n";
    public int MaxStepTokens { get; init; } = 48;
    public int MaxSteps { get; init; } = 24;
    /// <summary>A step after which the solution is complete (arith: the answer line).</summary>
    public Func<string, bool> IsFinalStep { get; init; } = _ => false;
}

public readonly record struct StepRequest(IPartial From, ulong Seed);

/// <summary>A whole sampled solution.</summary>
public sealed record Completion(string Text, int Tokens, double MeanLogprob, bool Finished, FinishReason Finish);

/// <summary>A partial solution in a search tree; it holds KV in the engine until disposed.</summary>
public interface IPartial : IDisposable
{
    IReadOnlyList<string> Steps { get; }
    /// <summary>The steps joined by the separator.</summary>
    string Text { get; }
    /// <summary>Ended: end of text, a final (answer) step, or a token or step limit.</summary>
    bool Done { get; }
    /// <summary>Ended on its own (not cut by a limit).</summary>
    bool Finished { get; }
    int Tokens { get; }
    double LogprobSum { get; }
}
