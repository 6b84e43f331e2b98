using Ponder.Sampling;

namespace Ponder.Core.Tests.Sampling;

/// <summary>Exact expectations on small hand-made logit rows.</summary>
public class SamplerTests
{
    static readonly float[] Quarter = [MathF.Log(0.5f), MathF.Log(0.3f), MathF.Log(0.15f), MathF.Log(0.05f)];

    static int SampleOnce(SamplingParams p, float[] logits, ulong seed = 1)
    {
        var s = new Sampler(p with { Seed = seed }, logits.Length);
        return s.Sample((float[])logits.Clone()).Id;
    }

    /// <summary>The survivor set after truncation, as ids best first.</summary>
    static int[] Survivors(SamplingParams p, float[] logits)
    {
        var cands = Sampler.Survivors(logits, p, SamplerScratch.For(logits.Length));
        var ids = new int[cands.Length];
        for (var i = 0; i < ids.Length; i++) ids[i] = cands[i].Id;
        return ids;
    }

    [Fact]
    public void Greedy_picks_the_lowest_id_among_tied_maxima()
    {
        Assert.Equal(1, SampleOnce(SamplingParams.Greedy, [1f, 3f, 3f, 2f, 3f]));
        Assert.Equal(0, SampleOnce(SamplingParams.Greedy, [0f, 0f, 0f]));
    }

    [Fact]
    public void Greedy_on_a_vocabulary_sized_row_finds_the_first_maximum()
    {
        var logits = RandomLogits(151936, seed: 3);
        logits[100_000] = 50f;
        logits[120_000] = 50f;
        Assert.Equal(100_000, SampleOnce(SamplingParams.Greedy, logits));
    }

    [Fact]
    public void Top_k_1_is_greedy_whatever_the_seed_and_temperature()
    {
        float[] logits = [1f, 3f, 3f, 2f, 3f];
        for (ulong seed = 0; seed < 200; seed++)
            Assert.Equal(1, SampleOnce(new SamplingParams { TopK = 1, Temperature = 5f }, logits, seed));
        var big = RandomLogits(151936, seed: 9);
        var greedy = SampleOnce(SamplingParams.Greedy, big);
        for (ulong seed = 0; seed < 20; seed++)
            Assert.Equal(greedy, SampleOnce(new SamplingParams { TopK = 1, Temperature = 2f }, big, seed));
    }

    [Fact]
    public void Top_k_keeps_the_k_best_with_ties_broken_by_id()
    {
        float[] logits = [1f, 5f, 3f, 3f, 4f, 3f, float.NegativeInfinity];
        Assert.Equal([1, 4, 2], Survivors(new SamplingParams { TopK = 3 }, logits));
        Assert.Equal([1, 4, 2, 3, 5], Survivors(new SamplingParams { TopK = 5 }, logits));
        Assert.Equal([1, 4, 2, 3, 5, 0], Survivors(new SamplingParams { TopK = 6 }, logits));
        // k >= vocabulary is top-k off: every finite token survives (the masked one never does), in id order.
        Assert.Equal([0, 1, 2, 3, 4, 5], Survivors(new SamplingParams { TopK = 7 }, logits));
    }

    [Fact]
    public void Top_k_matches_a_full_sort_on_a_vocabulary_sized_row()
    {
        var logits = RandomLogits(151936, seed: 5);
        var order = new int[logits.Length];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) => logits[a] != logits[b] ? logits[b].CompareTo(logits[a]) : a.CompareTo(b));
        Assert.Equal(order[..40], Survivors(new SamplingParams { TopK = 40 }, logits));
        Assert.Equal(order[..1000], Survivors(new SamplingParams { TopK = 1000 }, logits));
    }

    [Theory]
    [InlineData(0.45f, new[] { 0 })]
    [InlineData(0.75f, new[] { 0, 1 })] // 0.5 < 0.75, 0.8 crosses it and is kept
    [InlineData(0.85f, new[] { 0, 1, 2 })]
    [InlineData(0.99f, new[] { 0, 1, 2, 3 })]
    public void Top_p_keeps_the_token_that_crosses_p(float topP, int[] expected)
    {
        Assert.Equal(expected, Survivors(new SamplingParams { TopP = topP }, Quarter));
        Assert.Equal(expected, Survivors(new SamplingParams { TopP = topP, TopK = 4 }, Quarter));
        Assert.Equal(expected[..Math.Min(3, expected.Length)], Survivors(new SamplingParams { TopP = topP, TopK = 3 }, Quarter));
    }

    [Fact]
    public void Top_p_is_computed_over_the_top_k_survivors()
    {
        // After top-k = 2 the distribution is 0.625 / 0.375, so p = 0.6 keeps only the first.
        Assert.Equal([0], Survivors(new SamplingParams { TopK = 2, TopP = 0.6f }, Quarter));
        Assert.Equal([0, 1], Survivors(new SamplingParams { TopK = 2, TopP = 0.65f }, Quarter));
    }

    [Fact]
    public void Top_p_over_a_flat_vocabulary_grows_past_the_first_guess()
    {
        var logits = new float[5000]; // uniform: the nucleus for p = 0.5 is 2500 tokens
        var s = Survivors(new SamplingParams { TopP = 0.5f }, logits);
        Assert.Equal(2500, s.Length);
        for (var i = 0; i < s.Length; i++) Assert.Equal(i, s[i]);
    }

    [Theory]
    [InlineData(0.25f, new[] { 0, 1, 2 })] // keep p >= 0.125
    [InlineData(0.5f, new[] { 0, 1 })] // keep p >= 0.25
    [InlineData(1f, new[] { 0 })]
    public void Min_p_keeps_tokens_at_least_min_p_times_the_best(float minP, int[] expected)
    {
        Assert.Equal(expected, Survivors(new SamplingParams { MinP = minP }, Quarter));
        Assert.Equal(expected, Survivors(new SamplingParams { MinP = minP, TopK = 4 }, Quarter));
    }

    [Fact]
    public void Min_p_applies_after_top_p()
    {
        Assert.Equal([0, 1], Survivors(new SamplingParams { TopP = 0.85f, MinP = 0.5f }, Quarter));
        Assert.Equal([0, 1], Survivors(new SamplingParams { TopP = 0.75f, MinP = 0.25f }, Quarter));
    }

    [Fact]
    public void Sampled_tokens_cover_exactly_the_survivors()
    {
        var seen = new HashSet<int>();
        var s = new Sampler(new SamplingParams { TopP = 0.85f, Temperature = 3f, Seed = 11 }, 4);
        for (var i = 0; i < 2000; i++) seen.Add(s.Sample((float[])Quarter.Clone()).Id);
        Assert.Equal([0, 1, 2], seen.Order().ToArray());
    }

    [Fact]
    public void Repetition_penalty_divides_positive_and_multiplies_non_positive_logits_once_per_token()
    {
        float[] logits = [2f, -1f, 0.5f, 3f, 0f];
        var s = new Sampler(new SamplingParams { Temperature = 0f, RepetitionPenalty = 2f }, 5);
        s.Accept([0, 1, 0, 4]);
        var picked = s.Sample(logits);
        Assert.Equal([1f, -2f, 0.5f, 3f, 0f], logits);
        Assert.Equal(3, picked.Id);
    }

    [Fact]
    public void Presence_and_frequency_penalties_follow_openai()
    {
        float[] logits = [2f, -1f, 0.5f, 3f];
        var s = new Sampler(new SamplingParams { Temperature = 0f, FrequencyPenalty = 0.5f, PresencePenalty = 0.25f }, 4);
        s.Accept([0, 1, 0]);
        s.Sample(logits);
        // token 0: 2 - (2 * 0.5 + 0.25); token 1: -1 - (1 * 0.5 + 0.25)
        Assert.Equal([0.75f, -1.75f, 0.5f, 3f], logits);
    }

    [Fact]
    public void Penalties_combine_in_llama_cpp_order()
    {
        float[] logits = [2f, -1f];
        var s = new Sampler(new SamplingParams { Temperature = 0f, RepetitionPenalty = 2f, FrequencyPenalty = 0.5f, PresencePenalty = 0.25f }, 2);
        s.Accept([0, 0, 1]);
        s.Sample(logits);
        Assert.Equal([2f / 2f - 1.25f, -1f * 2f - 0.75f], logits);
    }

    [Fact]
    public void Penalty_window_is_the_last_n_accepted_tokens()
    {
        float[] logits = [1f, 1f, 1f];
        var s = new Sampler(new SamplingParams { Temperature = 0f, FrequencyPenalty = 1f, PenaltyLastN = 2 }, 3);
        s.Accept([0, 0, 1, 2]);
        s.Sample(logits);
        Assert.Equal([1f, 0f, 0f], logits);

        float[] all = [1f, 1f, 1f];
        var whole = new Sampler(new SamplingParams { Temperature = 0f, FrequencyPenalty = 1f, PenaltyLastN = -1 }, 3);
        whole.Accept([0, 0, 1, 2]);
        whole.Sample(all);
        Assert.Equal([-1f, 0f, 0f], all);
    }

    [Fact]
    public void Sampled_tokens_enter_the_penalty_history()
    {
        var s = new Sampler(new SamplingParams { Temperature = 0f, PresencePenalty = 2f }, 3);
        // 0 wins, then is penalised below 1, then 1 is penalised below 2, and so on.
        Assert.Equal(0, s.Sample([1f, 0.5f, 0f]).Id);
        Assert.Equal(1, s.Sample([1f, 0.5f, 0f]).Id);
        Assert.Equal(2, s.Sample([1f, 0.5f, 0f]).Id);
        Assert.Equal([0, 1, 2], s.History.ToArray());
    }

    [Fact]
    public void Penalties_flip_greedy_choice()
    {
        var s = new Sampler(new SamplingParams { Temperature = 0f, RepetitionPenalty = 1.5f }, 2);
        s.Accept(0);
        Assert.Equal(1, s.Sample([3f, 2.5f]).Id); // 3 / 1.5 = 2 < 2.5
    }

    [Fact]
    public void Mask_is_applied_before_everything()
    {
        float[] logits = [5f, 1f, 4f, 3f];
        var mask = new uint[1];
        TokenBitmask.AllowAll(mask, 4);
        TokenBitmask.Disallow(mask, 0);
        var s = new Sampler(SamplingParams.Greedy, 4);
        Assert.Equal(2, s.Sample(logits, mask).Id);
        Assert.Equal(float.NegativeInfinity, logits[0]);

        var topK1 = new Sampler(new SamplingParams { TopK = 1, Seed = 3 }, 4);
        Assert.Equal(2, topK1.Sample([5f, 1f, 4f, 3f], mask).Id);
    }

    [Fact]
    public void Mask_allowing_nothing_is_a_sampling_exception()
    {
        var mask = new uint[1];
        Assert.Throws<SamplingException>(() => new Sampler(SamplingParams.Greedy, 4).Sample(new float[4], mask));
        Assert.Throws<SamplingException>(() => new Sampler(new SamplingParams { Seed = 1 }, 4).Sample(new float[4], mask));
        Assert.Throws<SamplingException>(() => new Sampler(new SamplingParams { Seed = 1, TopK = 2 }, 4).Sample(new float[4], mask));
        Assert.Throws<SamplingException>(() => new Sampler(new SamplingParams { Seed = 1, TopP = 0.5f }, 4).Sample(new float[4], mask));
    }

    [Fact]
    public void Mask_spanning_a_partial_last_word()
    {
        var mask = new uint[TokenBitmask.WordCount(70)];
        TokenBitmask.Allow(mask, 69);
        var logits = RandomLogits(70, seed: 1);
        Assert.Equal(69, new Sampler(new SamplingParams { Seed = 4 }, 70).Sample(logits, mask).Id);
        Assert.Equal(3, mask.Length);
    }

    [Fact]
    public void Logprobs_are_the_raw_log_softmax_before_penalties_and_temperature()
    {
        float[] logits = [1f, 2f, 3f, 0.5f];
        var lse = Math.Log(Math.Exp(1) + Math.Exp(2) + Math.Exp(3) + Math.Exp(0.5));
        var top = new TokenLogprob[2];
        var s = new Sampler(new SamplingParams { Temperature = 0f, Logprobs = true, TopLogprobs = 2 }, 4);
        var t = s.Sample((float[])logits.Clone(), default, top);
        Assert.Equal(2, t.Id);
        Assert.Equal(3 - lse, t.Logprob, 1e-5); // float log-sum-exp over 4 terms
        Assert.Equal(2, t.TopLogprobCount);
        Assert.Equal(2, top[0].Id);
        Assert.Equal(1, top[1].Id);
        Assert.Equal(2 - lse, top[1].Logprob, 1e-5);

        // Penalties, mask and temperature change what is sampled, not what is reported.
        var mask = new uint[1];
        TokenBitmask.AllowAll(mask, 4);
        TokenBitmask.Disallow(mask, 2);
        var p = new Sampler(new SamplingParams { Temperature = 0f, RepetitionPenalty = 3f, Logprobs = true, TopLogprobs = 2 }, 4);
        p.Accept(1);
        var u = p.Sample((float[])logits.Clone(), mask, top);
        Assert.Equal(0, u.Id); // 2 masked, 1 penalised to 2/3
        Assert.Equal(1 - lse, u.Logprob, 1e-5);
        Assert.Equal(2, top[0].Id); // alternatives come from the raw distribution, masked tokens included
    }

    [Fact]
    public void Logprobs_off_reports_NaN_and_no_alternatives()
    {
        var t = new Sampler(SamplingParams.Greedy, 3).Sample([1f, 2f, 3f]);
        Assert.True(float.IsNaN(t.Logprob));
        Assert.Equal(0, t.TopLogprobCount);
    }

    [Fact]
    public void Sample_rejects_bad_arguments()
    {
        var s = new Sampler(new SamplingParams { Logprobs = true, TopLogprobs = 3 }, 4);
        Assert.Throws<ArgumentException>(() => s.Sample(new float[5]));
        Assert.Throws<ArgumentException>(() => s.Sample(new float[4], default, new TokenLogprob[2]));
        Assert.Throws<ArgumentException>(() => s.Sample(new float[40], default, new TokenLogprob[3]));
        var m = new Sampler(SamplingParams.Greedy, 40);
        Assert.Throws<ArgumentException>(() => m.Sample(new float[40], new uint[1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Accept(40));
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Accept(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sampler(SamplingParams.Greedy, 0));
    }

    [Fact]
    public void NaN_logits_are_never_picked()
    {
        // Selection paths skip NaN like a masked token; paths that normalise the whole row cannot, and refuse.
        Assert.Equal(1, new Sampler(SamplingParams.Greedy, 3).Sample([float.NaN, 1f, 0f]).Id);
        Assert.Equal(1, new Sampler(new SamplingParams { Seed = 1, TopK = 1 }, 3).Sample([float.NaN, 1f, 0f]).Id);
        Assert.Throws<SamplingException>(() => new Sampler(SamplingParams.Greedy, 2).Sample([float.NaN, float.NaN]));
        Assert.Throws<SamplingException>(() => new Sampler(new SamplingParams { Seed = 1 }, 2).Sample([float.NaN, 1f]));
    }

    internal static float[] RandomLogits(int n, int seed, float scale = 3f)
    {
        var r = new Random(seed);
        var x = new float[n];
        for (var i = 0; i < n; i++) x[i] = (float)(r.NextDouble() * 2 - 1) * scale;
        return x;
    }
}
