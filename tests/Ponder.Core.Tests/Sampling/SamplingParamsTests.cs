using Ponder.Sampling;

namespace Ponder.Core.Tests.Sampling;

public class SamplingParamsTests
{
    [Fact]
    public void Defaults_switch_every_transform_off()
    {
        var p = new SamplingParams();
        Assert.Equal(1f, p.Temperature);
        Assert.Equal(0, p.TopK);
        Assert.Equal(1f, p.TopP);
        Assert.Equal(0f, p.MinP);
        Assert.Equal(1f, p.RepetitionPenalty);
        Assert.Equal(64, p.PenaltyLastN);
        Assert.False(p.HasPenalties);
        Assert.Null(p.Seed);
        Assert.False(p.Logprobs);
        Assert.Equal(0, p.TopLogprobs);
    }

    public static TheoryData<string, Func<SamplingParams>> Invalid => new()
    {
        { nameof(SamplingParams.Temperature), () => new SamplingParams { Temperature = -0.1f } },
        { nameof(SamplingParams.Temperature), () => new SamplingParams { Temperature = float.NaN } },
        { nameof(SamplingParams.Temperature), () => new SamplingParams { Temperature = float.PositiveInfinity } },
        { nameof(SamplingParams.TopK), () => new SamplingParams { TopK = -1 } },
        { nameof(SamplingParams.TopP), () => new SamplingParams { TopP = 0f } },
        { nameof(SamplingParams.TopP), () => new SamplingParams { TopP = 1.01f } },
        { nameof(SamplingParams.TopP), () => new SamplingParams { TopP = float.NaN } },
        { nameof(SamplingParams.MinP), () => new SamplingParams { MinP = -0.01f } },
        { nameof(SamplingParams.MinP), () => new SamplingParams { MinP = 1.5f } },
        { nameof(SamplingParams.RepetitionPenalty), () => new SamplingParams { RepetitionPenalty = 0f } },
        { nameof(SamplingParams.RepetitionPenalty), () => new SamplingParams { RepetitionPenalty = float.NaN } },
        { nameof(SamplingParams.PresencePenalty), () => new SamplingParams { PresencePenalty = 2.5f } },
        { nameof(SamplingParams.FrequencyPenalty), () => new SamplingParams { FrequencyPenalty = -2.5f } },
        { nameof(SamplingParams.PenaltyLastN), () => new SamplingParams { PenaltyLastN = -2 } },
        { nameof(SamplingParams.TopLogprobs), () => new SamplingParams { Logprobs = true, TopLogprobs = 21 } },
        { nameof(SamplingParams.TopLogprobs), () => new SamplingParams { TopLogprobs = -1 } },
    };

    [Theory, MemberData(nameof(Invalid))]
    public void Invalid_values_throw_naming_the_parameter(string name, Func<SamplingParams> make)
    {
        var ex = Assert.Throws<ArgumentException>(make);
        Assert.Equal(name, ex.ParamName);
        Assert.Contains(name, ex.Message);
        Assert.Contains("must", ex.Message);
    }

    [Fact]
    public void With_expressions_are_validated_too()
    {
        var ok = new SamplingParams { TopK = 40 };
        Assert.Throws<ArgumentException>(() => ok with { TopP = 2f });
    }

    [Fact]
    public void Top_logprobs_without_logprobs_is_rejected_when_a_sampler_is_made()
    {
        var p = new SamplingParams { TopLogprobs = 5 };
        var ex = Assert.Throws<ArgumentException>(() => new Sampler(p, 10));
        Assert.Contains("Logprobs", ex.Message);
    }

    [Theory]
    [InlineData(1.1f, 0f, 0f, 64, true)]
    [InlineData(1f, 0.5f, 0f, 64, true)]
    [InlineData(1f, 0f, -0.5f, -1, true)]
    [InlineData(1.1f, 0.5f, 0.5f, 0, false)] // last_n = 0 disables, as in llama.cpp
    [InlineData(1f, 0f, 0f, 64, false)]
    public void HasPenalties(float rep, float presence, float frequency, int lastN, bool expected) =>
        Assert.Equal(expected, new SamplingParams
        {
            RepetitionPenalty = rep, PresencePenalty = presence, FrequencyPenalty = frequency, PenaltyLastN = lastN,
        }.HasPenalties);
}
