using Ponder.Sampling;

namespace Ponder.Engine;

/// <summary>A prompt (token ids) and how to continue it. With <see cref="N"/> &gt; 1 the prompt is
/// prefilled once and forked into N sequences with seeds derived from the request's seed.</summary>
public sealed record GenerationRequest
{
    public required IReadOnlyList<int> Prompt { get; init; }
    public SamplingParams Sampling { get; init; } = SamplingParams.Greedy;
    public int MaxTokens { get; init; } = 256;
    public int N { get; init; } = 1;
    /// <summary>Generation stops when the text contains one of these; the stop string is not emitted.</summary>
    public IReadOnlyList<string> Stop { get; init; } = [];
    /// <summary>Keep going past end-of-generation tokens (benchmarks).</summary>
    public bool IgnoreEos { get; init; }
    /// <summary>Keep the prompt's KV out of the prefix cache lookup (benchmarks of cold prefill).</summary>
    public bool NoPrefixCache { get; init; }
    /// <summary>A rule on the output (a grammar matcher) in its start state; each sequence of the request
    /// works on its own fork, so the request's copy is never advanced.</summary>
    public ITokenConstraint? Constraint { get; init; }
}

public enum FinishReason { Stop, Length, Cancelled, Error }

/// <summary>One generated token of sequence <see cref="Index"/> of a request, or (with
/// <see cref="Finish"/> set) the end of that sequence.</summary>
public sealed record TokenEvent(int Index, int Token, string Text, float Logprob, FinishReason? Finish = null,
    TokenLogprob[]? Top = null, string? Error = null)
{
    public bool IsFinal => Finish != null;
}

/// <summary>Token counts of a request: what it asked for, what the prefix cache served, what it generated.</summary>
public sealed record RequestUsage(int PromptTokens, int CachedPromptTokens, int CompletionTokens, int PromptTokensComputed);
