using Ponder.Sampling;

namespace Ponder.Core.Tests.Sampling;

/// <summary>Same seed, same tokens; forks and checkpoints replay exactly (search depends on it).</summary>
public class SamplerReproducibilityTests
{
    const int Vocab = 2000;

    /// <summary>A fake model: logits that depend on the step only, so two samplers see the same rows.</summary>
    static float[] Row(int step) => SamplerTests.RandomLogits(Vocab, seed: 1000 + step);

    static int[] Run(Sampler s, int from, int count)
    {
        var ids = new int[count];
        for (var i = 0; i < count; i++) ids[i] = s.Sample(Row(from + i)).Id;
        return ids;
    }

    public static TheoryData<SamplingParams> Settings => new()
    {
        new SamplingParams { Seed = 77 },
        new SamplingParams { Seed = 77, Temperature = 0.7f, TopK = 40, TopP = 0.95f },
        new SamplingParams { Seed = 77, TopP = 0.9f, MinP = 0.05f },
        new SamplingParams { Seed = 77, Temperature = 1.3f, RepetitionPenalty = 1.3f, PresencePenalty = 0.5f, FrequencyPenalty = 0.3f, PenaltyLastN = 16 },
    };

    [Theory, MemberData(nameof(Settings))]
    public void Same_seed_gives_the_same_tokens(SamplingParams p)
    {
        var a = Run(new Sampler(p, Vocab), 0, 60);
        Assert.Equal(a, Run(new Sampler(p, Vocab), 0, 60));
        Assert.NotEqual(a, Run(new Sampler(p with { Seed = 78 }, Vocab), 0, 60));
    }

    [Theory, MemberData(nameof(Settings))]
    public void Fork_continues_exactly_like_the_original(SamplingParams p)
    {
        var original = new Sampler(p, Vocab);
        original.Accept([1, 2, 3, 2]);
        Run(original, 0, 20);
        var fork = original.Fork();
        Assert.Equal(original.SampledCount, fork.SampledCount);
        Assert.Equal(original.History.ToArray(), fork.History.ToArray());
        var expected = Run(original, 20, 40);
        Assert.Equal(expected, Run(fork, 20, 40));

        // A fork is independent: advancing one leaves the other where it was.
        var f2 = original.Fork();
        Run(f2, 60, 5);
        Assert.Equal(Run(original.Fork(), 60, 5), Run(original, 60, 5));
    }

    [Theory, MemberData(nameof(Settings))]
    public void Restore_replays_from_a_checkpoint(SamplingParams p)
    {
        var s = new Sampler(p, Vocab);
        Run(s, 0, 10);
        var cp = s.Checkpoint();
        var first = Run(s, 10, 15);
        s.Restore(cp);
        Assert.Equal(10, s.SampledCount);
        Assert.Equal(first, Run(s, 10, 15));
    }

    [Fact]
    public void Reseeded_forks_diverge_and_derived_seeds_reproduce()
    {
        var p = new SamplingParams { Seed = 5, Temperature = 1f };
        var root = new Sampler(p, Vocab);
        var a = root.Fork();
        a.Reseed(Sampler.DeriveSeed(5, 0));
        var b = root.Fork();
        b.Reseed(Sampler.DeriveSeed(5, 1));
        var ta = Run(a, 0, 30);
        Assert.NotEqual(ta, Run(b, 0, 30));
        Assert.Equal(ta, Run(new Sampler(p with { Seed = Sampler.DeriveSeed(5, 0) }, Vocab), 0, 30));
    }

    [Fact]
    public void Unseeded_samplers_report_the_seed_that_replays_them()
    {
        var p = new SamplingParams();
        var s = new Sampler(p, Vocab);
        var ids = Run(s, 0, 20);
        Assert.Equal(ids, Run(new Sampler(p with { Seed = s.Seed }, Vocab), 0, 20));
    }

    [Fact]
    public void Greedy_draws_no_random_numbers()
    {
        var s = new Sampler(SamplingParams.Greedy with { Seed = 9 }, Vocab);
        var before = s.Checkpoint().Rng;
        Run(s, 0, 10);
        Assert.Equal(before, s.Checkpoint().Rng);
    }
}
