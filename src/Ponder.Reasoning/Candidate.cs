namespace Ponder.Reasoning;

/// <summary>One solution a strategy considered: its text and answer, how many votes its answer got
/// (or its resampling weight), its verifier score and per-step scores, its mean token logprob.</summary>
public sealed record Candidate
{
    public required string Text { get; init; }
    public string? Answer { get; init; }
    public double Votes { get; init; }
    public double? Score { get; init; }
    public IReadOnlyList<double>? StepScores { get; init; }
    public double MeanLogprob { get; init; }
    public int Tokens { get; init; }
    /// <summary>The solution ended on its own (end of text or an answer line), not cut by a limit.</summary>
    public bool Finished { get; init; }
    /// <summary>The strategy picked this candidate's answer.</summary>
    public bool Chosen { get; init; }
}

/// <summary>What a strategy returns: the answer, the candidates behind it, and the compute it spent.</summary>
public sealed record StrategyResult
{
    public required string Strategy { get; init; }
    public string? Answer { get; init; }
    public required IReadOnlyList<Candidate> Candidates { get; init; }
    public required LedgerSnapshot Ledger { get; init; }
    /// <summary>Strategy-specific facts (adaptive: samples used; auto: the bin and the strategy chosen).</summary>
    public IReadOnlyDictionary<string, string> Notes { get; init; } = new Dictionary<string, string>();

    /// <summary>Oracle coverage: some candidate's answer is the known answer (null when unknown).</summary>
    public bool? Covered(Problem p) => p.Answer == null ? null : Candidates.Any(c => p.IsCorrect(c.Answer));
}
