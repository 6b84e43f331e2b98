namespace Ponder.Sampling;

/// <summary>
/// How one sequence picks its next token. Immutable and validated on construction (and on
/// <c>with</c>), so an engine can check a request once at the edge and then trust it per token.
/// Defaults switch every transform off except temperature 1 (plain sampling from the model).
/// </summary>
/// <remarks>
/// Semantics follow the reference implementations so that numbers users copy from them mean the
/// same thing here: <see cref="RepetitionPenalty"/> is llama.cpp's (CTRL paper: divide a positive
/// logit, multiply a non-positive one, once per distinct token in the window);
/// <see cref="PresencePenalty"/> and <see cref="FrequencyPenalty"/> are OpenAI's
/// (<c>logit -= count * frequency + (count &gt; 0) * presence</c>). All three look at the last
/// <see cref="PenaltyLastN"/> tokens the sampler has accepted.
/// </remarks>
public sealed record SamplingParams
{
    /// <summary>Largest <see cref="TopLogprobs"/> accepted; OpenAI's limit.</summary>
    public const int MaxTopLogprobs = 20;

    /// <summary>Greedy settings: temperature 0, everything else off.</summary>
    public static SamplingParams Greedy { get; } = new() { Temperature = 0f };

    /// <summary>Softmax temperature; 0 means greedy (argmax, lowest id on ties).</summary>
    public float Temperature
    {
        get;
        init => field = Check(value, float.IsFinite(value) && value >= 0f, nameof(Temperature),
            "must be a finite number >= 0 (0 = greedy)");
    } = 1f;

    /// <summary>Keep only the k most likely tokens; 0 = off.</summary>
    public int TopK
    {
        get;
        init => field = Check(value, value >= 0, nameof(TopK), "must be >= 0 (0 = off)");
    }

    /// <summary>Nucleus: keep the smallest set of most likely tokens whose mass reaches p
    /// (the token that crosses p is kept); 1 = off.</summary>
    public float TopP
    {
        get;
        init => field = Check(value, value > 0f && value <= 1f, nameof(TopP), "must be in (0, 1] (1 = off)");
    } = 1f;

    /// <summary>Drop tokens whose probability is below <c>min_p * p(max)</c>; 0 = off.</summary>
    public float MinP
    {
        get;
        init => field = Check(value, value >= 0f && value <= 1f, nameof(MinP), "must be in [0, 1] (0 = off)");
    }

    /// <summary>llama.cpp repetition penalty; 1 = off.</summary>
    public float RepetitionPenalty
    {
        get;
        init => field = Check(value, float.IsFinite(value) && value > 0f, nameof(RepetitionPenalty),
            "must be a finite number > 0 (1 = off)");
    } = 1f;

    /// <summary>OpenAI presence penalty, subtracted once from every token seen in the window.</summary>
    public float PresencePenalty
    {
        get;
        init => field = Check(value, float.IsFinite(value) && value >= -2f && value <= 2f, nameof(PresencePenalty),
            "must be in [-2, 2] (0 = off)");
    }

    /// <summary>OpenAI frequency penalty, subtracted once per occurrence in the window.</summary>
    public float FrequencyPenalty
    {
        get;
        init => field = Check(value, float.IsFinite(value) && value >= -2f && value <= 2f, nameof(FrequencyPenalty),
            "must be in [-2, 2] (0 = off)");
    }

    /// <summary>How many of the most recent accepted tokens the penalties look at; 0 disables the
    /// penalties, -1 means the whole history.</summary>
    public int PenaltyLastN
    {
        get;
        init => field = Check(value, value >= -1, nameof(PenaltyLastN), "must be >= -1 (-1 = whole context, 0 = off)");
    } = 64;

    /// <summary>Seed of the per-sequence random stream; null = seeded from the OS (the effective seed
    /// is reported by <see cref="Sampler.Seed"/> so the run can be replayed).</summary>
    public ulong? Seed { get; init; }

    /// <summary>Report the chosen token's log-probability.</summary>
    public bool Logprobs { get; init; }

    /// <summary>Also report this many most likely alternatives (0..20); needs <see cref="Logprobs"/>.</summary>
    public int TopLogprobs
    {
        get;
        init
        {
            Check(value, value is >= 0 and <= MaxTopLogprobs, nameof(TopLogprobs), $"must be in [0, {MaxTopLogprobs}]");
            field = value;
        }
    }

    /// <summary>True when any penalty changes logits, so the sampler must keep a token history.</summary>
    public bool HasPenalties =>
        PenaltyLastN != 0 && (RepetitionPenalty != 1f || PresencePenalty != 0f || FrequencyPenalty != 0f);

    /// <summary>Cross-field rules that single setters cannot see; called by <see cref="Sampler"/>.</summary>
    public void Validate()
    {
        if (TopLogprobs > 0 && !Logprobs)
            throw new ArgumentException(
                $"TopLogprobs is {TopLogprobs} but Logprobs is false; set Logprobs = true to get alternatives.",
                nameof(TopLogprobs));
    }

    static T Check<T>(T value, bool ok, string name, string rule) =>
        ok ? value : throw new ArgumentException($"Sampling parameter {name} = {value} is invalid: it {rule}.", name);
}
