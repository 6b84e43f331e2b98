using FsCheck.Xunit;
using Ponder.Sampling;

namespace Ponder.Core.Tests.Sampling;

/// <summary>
/// Invariants over random rows, masks and settings. Rows are quantised to a few levels so ties are
/// common, since tie handling is where truncation bugs hide.
/// </summary>
public class SamplerPropertyTests
{
    sealed record Case(float[] Logits, uint[] Mask, SamplingParams Params);

    static Case Make(int seed, byte k, byte p, byte minP, byte temp, byte density)
    {
        var r = new Random(seed);
        var vocab = 1 + r.Next(r.Next(2) == 0 ? 40 : 3000);
        var levels = 1 + r.Next(12);
        var logits = new float[vocab];
        for (var i = 0; i < vocab; i++) logits[i] = r.Next(levels) * (float)(0.25 + r.NextDouble() * 2);
        var mask = new uint[TokenBitmask.WordCount(vocab)];
        for (var i = 0; i < vocab; i++) if (r.Next(256) <= density) TokenBitmask.Allow(mask, i);
        TokenBitmask.Allow(mask, r.Next(vocab)); // at least one token is allowed
        var prm = new SamplingParams
        {
            Seed = (ulong)seed,
            TopK = k % 4 == 0 ? 0 : k % 50,
            TopP = p < 64 ? 1f : p / 256f + 0.001f,
            MinP = minP < 128 ? 0f : (minP - 128) / 128f,
            Temperature = temp % 8 == 0 ? 0f : temp / 64f,
            Logprobs = true,
            TopLogprobs = Math.Min(5, vocab),
        };
        return new Case(logits, mask, prm);
    }

    [Property(MaxTest = 300)]
    public bool Sampled_token_is_allowed_and_a_survivor(int seed, byte k, byte p, byte minP, byte temp, byte density)
    {
        var c = Make(seed, k, p, minP, temp, density);
        var masked = (float[])c.Logits.Clone();
        TokenBitmask.Apply(c.Mask, masked);
        var survivors = Sampler.Survivors(masked, c.Params, SamplerScratch.For(masked.Length)).ToArray();

        var s = new Sampler(c.Params, c.Logits.Length);
        var top = new TokenLogprob[SamplingParams.MaxTopLogprobs];
        var t = s.Sample((float[])c.Logits.Clone(), c.Mask, top);
        if (!TokenBitmask.IsAllowed(c.Mask, t.Id)) return false;
        if (c.Params.Temperature == 0f)
        {
            // Greedy: the first allowed maximum, which is also the best survivor.
            var best = -1;
            for (var i = 0; i < masked.Length; i++) if (best < 0 || masked[i] > masked[best]) best = i;
            return t.Id == best && survivors[0].Id == best;
        }
        foreach (var sv in survivors) if (sv.Id == t.Id) return true;
        return false;
    }

    [Property(MaxTest = 200)]
    public bool Top_k_of_one_is_greedy(int seed, byte temp, byte density)
    {
        var c = Make(seed, 0, 0, 0, 1, density);
        var greedy = new Sampler(SamplingParams.Greedy, c.Logits.Length).Sample((float[])c.Logits.Clone(), c.Mask).Id;
        var t = new Sampler(new SamplingParams { TopK = 1, Temperature = 0.1f + temp / 32f, Seed = (ulong)seed }, c.Logits.Length);
        return t.Sample((float[])c.Logits.Clone(), c.Mask).Id == greedy;
    }

    [Property(MaxTest = 300)]
    public bool Logprobs_are_non_positive_normalised_and_consistent(int seed, byte k, byte p, byte minP, byte temp, byte density)
    {
        var c = Make(seed, k, p, minP, temp, density);
        var n = c.Logits.Length;
        var prm = c.Params with { TopLogprobs = Math.Min(SamplingParams.MaxTopLogprobs, n) };
        var top = new TokenLogprob[SamplingParams.MaxTopLogprobs];
        var t = new Sampler(prm, n).Sample((float[])c.Logits.Clone(), c.Mask, top);
        if (!(t.Logprob <= 0f) || t.TopLogprobCount != prm.TopLogprobs) return false;

        var mass = 0.0;
        for (var i = 0; i < t.TopLogprobCount; i++)
        {
            if (!(top[i].Logprob <= 0f)) return false;
            if (i > 0 && top[i].Logprob > top[i - 1].Logprob) return false; // best first
            if (top[i].Id == t.Id && Math.Abs(top[i].Logprob - t.Logprob) > 1e-6) return false;
            mass += Math.Exp(top[i].Logprob);
        }
        // Float log-sum-exp over at most 3000 terms: 1e-4 relative is generous and still catches a missing normaliser.
        return n <= SamplingParams.MaxTopLogprobs ? Math.Abs(mass - 1) < 1e-4 : mass < 1 + 1e-4;
    }

    [Property(MaxTest = 100)]
    public bool Fork_and_original_agree(int seed, byte k, byte p, byte minP, byte temp)
    {
        var c = Make(seed, k, p, minP, temp, 255);
        var prm = c.Params with { PresencePenalty = 0.5f, RepetitionPenalty = 1.2f, TopLogprobs = 0, Logprobs = false };
        var a = new Sampler(prm, c.Logits.Length);
        a.Sample((float[])c.Logits.Clone());
        var b = a.Fork();
        for (var i = 0; i < 5; i++)
            if (a.Sample((float[])c.Logits.Clone()).Id != b.Sample((float[])c.Logits.Clone()).Id) return false;
        return true;
    }
}
