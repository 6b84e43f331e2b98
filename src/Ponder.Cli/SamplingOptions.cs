using System.CommandLine;
using Ponder.Sampling;

namespace Ponder.Cli;

/// <summary>The sampling flags shared by generate and the benchmarks, and their mapping to <see cref="SamplingParams"/>.</summary>
public sealed class SamplingOptions
{
    public Option<float> Temperature { get; } = new("--temp") { Description = "Temperature (0 = greedy)", DefaultValueFactory = _ => 0f };
    public Option<ulong?> Seed { get; } = new("--seed") { Description = "Random seed (same seed, same tokens)" };
    public Option<int> TopK { get; } = new("--top-k") { Description = "Keep the k most likely tokens (0 = off)", DefaultValueFactory = _ => 0 };
    public Option<float> TopP { get; } = new("--top-p") { Description = "Nucleus sampling mass (1 = off)", DefaultValueFactory = _ => 1f };
    public Option<float> MinP { get; } = new("--min-p") { Description = "Drop tokens below min-p × the top probability (0 = off)", DefaultValueFactory = _ => 0f };
    public Option<float> RepeatPenalty { get; } = new("--repeat-penalty") { Description = "Repetition penalty (1 = off)", DefaultValueFactory = _ => 1f };
    public Option<float> PresencePenalty { get; } = new("--presence-penalty") { DefaultValueFactory = _ => 0f };
    public Option<float> FrequencyPenalty { get; } = new("--frequency-penalty") { DefaultValueFactory = _ => 0f };

    public void AddTo(Command c)
    {
        foreach (var o in new Option[] { Temperature, Seed, TopK, TopP, MinP, RepeatPenalty, PresencePenalty, FrequencyPenalty })
            c.Options.Add(o);
    }

    public SamplingParams Read(ParseResult r, int topLogprobs = 0)
    {
        var p = new SamplingParams
        {
            Temperature = r.GetValue(Temperature),
            Seed = r.GetValue(Seed),
            TopK = r.GetValue(TopK),
            TopP = r.GetValue(TopP),
            MinP = r.GetValue(MinP),
            RepetitionPenalty = r.GetValue(RepeatPenalty),
            PresencePenalty = r.GetValue(PresencePenalty),
            FrequencyPenalty = r.GetValue(FrequencyPenalty),
            Logprobs = topLogprobs > 0,
            TopLogprobs = topLogprobs,
        };
        p.Validate();
        return p;
    }
}
