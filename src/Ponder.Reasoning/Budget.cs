namespace Ponder.Reasoning;

/// <summary>
/// What a strategy may spend on one problem. <see cref="N"/> is the x-axis unit of the papers:
/// samples for voting strategies, candidates per step for tree search (N beams × M expansions =
/// N), particles for the particle filter. Token limits bound each candidate.
/// </summary>
public sealed record Budget(int N)
{
    /// <summary>Most tokens of one whole solution.</summary>
    public int MaxTokens { get; init; } = 256;
    /// <summary>Most tokens of one step (step-level strategies).</summary>
    public int MaxStepTokens { get; init; } = 48;
    /// <summary>Most steps of one solution (step-level strategies).</summary>
    public int MaxSteps { get; init; } = 24;

    public void Validate()
    {
        if (N < 1) throw new ArgumentException($"budget N = {N} must be at least 1");
        if (MaxTokens < 1 || MaxStepTokens < 1 || MaxSteps < 1) throw new ArgumentException("token and step limits must be positive");
    }
}
