using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ponder.Sampling;

/// <summary>
/// Picks one sequence's next tokens. One instance per sequence; it owns everything that must fork
/// and roll back with the sequence (random stream, penalty history, counters) and nothing else.
/// </summary>
/// <remarks>
/// <para><b>Order of operations</b> (llama.cpp's default chain, so settings mean the same there):
/// allowed-token mask → penalties → top-k → top-p → min-p → temperature → draw. Top-p and min-p
/// therefore see temperature-1 probabilities (after penalties and top-k), and temperature only
/// reshapes the survivors. Temperature 0 is greedy: argmax after mask and penalties, lowest id on
/// ties (llama.cpp's greedy), and no random number is drawn. Every other call draws exactly one.</para>
/// <para><b>Logprob convention</b>: reported logprobs are the model's raw log-softmax, before mask,
/// penalties, truncation and temperature (vLLM's default <c>raw_logprobs</c>; what OpenAI's API
/// reports is likewise independent of temperature). So a token's logprob depends on the model and
/// context alone, which is what verifiers, best-of-N scoring and perplexity need, and two
/// sequences sampled with different settings score a shared continuation identically.
/// Top alternatives come from the same distribution: best first, ties by lowest id; they may
/// include tokens the mask forbids.</para>
/// <para><b>Determinism</b>: the random stream is integer-only (xoshiro256**) and identical on every
/// platform; given the same logits the same seed gives the same tokens (on one machine: vector
/// exp and sums may differ in the last bit between instruction sets). The draw walks the survivors
/// in a fixed order: best first after top-k; ids ascending without truncation or with min-p alone;
/// for top-p without top-k, the surely-kept tokens by id and then the crossing bucket best first.
/// NaN logits are skipped by selection paths and rejected (<see cref="SamplingException"/>) by paths
/// that normalise the whole row.</para>
/// <para>The logits span is working memory: the mask and penalties write into it.</para>
/// </remarks>
public sealed class Sampler
{
    /// <summary>Top-p without top-k first tries this many best tokens, then 8× more, before sorting all.</summary>
    const int NucleusFirstGuess = 256;
    /// <summary>Block size of the cumulative walk in the untruncated path (sum a block, skip it whole).</summary>
    const int WalkBlock = 1024;
    /// <summary>Nats below the max that the top-p histogram resolves; exp(-32) ≈ 1e-14, so what lies
    /// further (one bucket) cannot matter unless p is within 1e-9 of 1.</summary>
    const float NucleusBucketSpan = 32f;

    readonly TokenHistory? _history;
    Xoshiro256StarStar _rng;

    public Sampler(SamplingParams parameters, int vocabSize)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabSize, 1);
        parameters.Validate();
        Params = parameters;
        VocabSize = vocabSize;
        Seed = parameters.Seed ?? Xoshiro256StarStar.RandomSeed();
        _rng = new Xoshiro256StarStar(Seed);
        _history = parameters.HasPenalties ? new TokenHistory() : null;
    }

    Sampler(Sampler source)
    {
        Params = source.Params;
        VocabSize = source.VocabSize;
        Seed = source.Seed;
        _rng = source._rng;
        _history = source._history?.Clone();
        SampledCount = source.SampledCount;
    }

    public SamplingParams Params { get; }
    public int VocabSize { get; }

    /// <summary>The seed this sampler's stream started from (the request's, or the one drawn for it).</summary>
    public ulong Seed { get; private set; }

    /// <summary>Tokens returned by <see cref="Sample"/> so far (less any rolled back).</summary>
    public long SampledCount { get; private set; }

    /// <summary>Tokens the penalties can see (prompt tokens passed to <see cref="Accept(ReadOnlySpan{int})"/>
    /// plus sampled ones); empty when no penalty is active, since then none is kept.</summary>
    public ReadOnlySpan<int> History => _history is null ? default : _history.All;

    /// <summary>Seed for sample <paramref name="index"/> of n parallel samples of one request.</summary>
    public static ulong DeriveSeed(ulong requestSeed, int index) => SplitMix64.DeriveSeed(requestSeed, index);

    /// <summary>An independent copy: same random stream position, history and counters. The copy and
    /// the original then produce identical tokens from identical logits until one is reseeded.</summary>
    public Sampler Fork() => new(this);

    /// <summary>Restarts the random stream from <paramref name="seed"/> (keeps history), e.g. after
    /// <see cref="Fork"/> with <see cref="DeriveSeed"/> so the branches diverge.</summary>
    public void Reseed(ulong seed)
    {
        Seed = seed;
        _rng = new Xoshiro256StarStar(seed);
    }

    public SamplerCheckpoint Checkpoint() => new(_rng, _history?.Count ?? 0, SampledCount);

    public void Restore(SamplerCheckpoint checkpoint)
    {
        _history?.Truncate(checkpoint.HistoryLength);
        _rng = checkpoint.Rng;
        SampledCount = checkpoint.SampledCount;
    }

    /// <summary>Records tokens the penalties should see without sampling them (the prompt, or
    /// tokens forced by a grammar). <see cref="Sample"/> records its own choice.</summary>
    public void Accept(ReadOnlySpan<int> tokens)
    {
        foreach (var t in tokens) Accept(t);
    }

    public void Accept(int token)
    {
        if ((uint)token >= (uint)VocabSize)
            throw new ArgumentOutOfRangeException(nameof(token), token, $"Token id must be in [0, {VocabSize}).");
        _history?.Add(token);
    }

    /// <summary>
    /// Picks the next token from <paramref name="logits"/> (one row, <see cref="VocabSize"/> wide,
    /// modified in place) and records it in the history.
    /// </summary>
    /// <param name="allowed">Optional bitmask of allowed tokens (<see cref="TokenBitmask"/> layout);
    /// empty = all allowed.</param>
    /// <param name="topLogprobs">Receives <see cref="SamplingParams.TopLogprobs"/> alternatives; must be
    /// at least that long when alternatives are requested.</param>
    /// <exception cref="SamplingException">The mask (or the logits) leave no token that can be sampled.</exception>
    public SampledToken Sample(Span<float> logits, ReadOnlySpan<uint> allowed = default, Span<TokenLogprob> topLogprobs = default)
    {
        if (logits.Length != VocabSize)
            throw new ArgumentException($"Logits row has {logits.Length} entries but the sampler's vocabulary has {VocabSize}.", nameof(logits));
        var p = Params;
        if (topLogprobs.Length < p.TopLogprobs)
            throw new ArgumentException(
                $"TopLogprobs is {p.TopLogprobs} but the alternatives buffer holds {topLogprobs.Length}; pass a span of at least {p.TopLogprobs}.",
                nameof(topLogprobs));

        var scratch = SamplerScratch.For(VocabSize);
        var penalise = _history is not null && _history.Count > 0;

        // Raw logprobs are read before the mask and penalties change the row; copy it only if they will.
        ReadOnlySpan<float> raw = logits;
        if (p.Logprobs && (penalise || !allowed.IsEmpty))
        {
            logits.CopyTo(scratch.Raw);
            raw = scratch.Raw.AsSpan(0, VocabSize);
        }

        if (!allowed.IsEmpty) TokenBitmask.Apply(allowed, logits);
        if (penalise) Penalties.Apply(logits, _history!.Window(p.PenaltyLastN), p, scratch.Counts);

        var id = p.Temperature == 0f ? Greedy(logits, scratch) : Draw(logits, p, scratch);

        var logprob = float.NaN;
        var topCount = 0;
        if (p.Logprobs)
        {
            var lse = LogSumExp(raw, scratch.Weights);
            logprob = raw[id] - lse;
            if (p.TopLogprobs > 0)
            {
                var top = scratch.Top.AsSpan(0, p.TopLogprobs);
                topCount = TopKSelector.SelectSorted(raw, p.TopLogprobs, top);
                for (var i = 0; i < topCount; i++) topLogprobs[i] = new TokenLogprob(top[i].Id, top[i].Logit - lse);
            }
        }

        _history?.Add(id);
        SampledCount++;
        return new SampledToken(id, logprob, topCount);
    }

    static int Greedy(ReadOnlySpan<float> logits, SamplerScratch scratch)
    {
        // Top-1 selection rather than TensorPrimitives.IndexOfMax: it was 2x slower here (it tracks
        // indices in every lane), and this keeps the lowest id on ties and skips NaN like every other path.
        var best = scratch.Top.AsSpan(0, 1);
        if (TopKSelector.Select(logits, 1, best) == 0) throw NothingToSample();
        return best[0].Id;
    }

    int Draw(ReadOnlySpan<float> logits, SamplingParams p, SamplerScratch scratch)
    {
        var u = _rng.NextDouble();
        if (!Truncates(p, logits.Length)) return DrawFullVocabulary(logits, p.Temperature, u, scratch.Weights);

        var cands = Survivors(logits, p, scratch, out var max);
        // Temperature reshapes the survivors only; weights relative to the best keep exp() in range.
        var weights = scratch.DrawWeightBuffer(cands.Length);
        var invT = 1.0 / p.Temperature;
        var total = 0.0;
        for (var i = 0; i < cands.Length; i++) total += weights[i] = Math.Exp((cands[i].Logit - max) * invT);
        var r = u * total;
        var acc = 0.0;
        for (var i = 0; i < cands.Length; i++)
        {
            acc += weights[i];
            if (r < acc) return cands[i].Id;
        }
        return cands[^1].Id; // r within rounding of the total
    }

    static bool Truncates(SamplingParams p, int vocabSize) =>
        (p.TopK > 0 && p.TopK < vocabSize) || p.TopP < 1f || p.MinP > 0f;

    internal static Span<Candidate> Survivors(ReadOnlySpan<float> logits, SamplingParams p, SamplerScratch scratch) =>
        Survivors(logits, p, scratch, out _);

    /// <summary>
    /// The tokens left after top-k, top-p and min-p (in that order); never empty. Works on the
    /// logits as given (mask and penalties already applied); <paramref name="max"/> is the best logit.
    /// The order is deterministic but only the top-k path sorts everything: the full-vocabulary
    /// paths keep the tokens that are surely in by id and sort only the bucket where the cut falls.
    /// </summary>
    internal static Span<Candidate> Survivors(ReadOnlySpan<float> logits, SamplingParams p, SamplerScratch scratch, out float max)
    {
        var topK = p.TopK > 0 && p.TopK < logits.Length ? p.TopK : 0;
        Span<Candidate> cands;
        if (topK > 0)
        {
            cands = scratch.CandidateBuffer(topK);
            cands = cands[..TopKSelector.SelectSorted(logits, topK, cands)];
            if (cands.IsEmpty) throw NothingToSample();
            max = cands[0].Logit;
            if (p.TopP < 1f)
            {
                var z = 0.0;
                foreach (ref readonly var c in cands) z += Math.Exp(c.Logit - max);
                cands = cands[..NucleusLength(cands, max, p.TopP * z)];
            }
        }
        else
        {
            max = TensorPrimitives.Max(logits);
            if (!(max > float.NegativeInfinity)) throw NothingToSample();
            cands = p.TopP < 1f ? Nucleus(logits, max, p.TopP, scratch) : AtLeast(logits, MinPThreshold(max, p.MinP), scratch);
        }

        if (p.MinP > 0f)
        {
            // llama.cpp compares logits: keep l >= max + ln(min_p), i.e. p_i >= min_p * p_max.
            // The best token always passes, so the set stays non-empty.
            var threshold = MinPThreshold(max, p.MinP);
            var keep = 0;
            for (var i = 0; i < cands.Length; i++)
                if (cands[i].Logit >= threshold) cands[keep++] = cands[i];
            cands = cands[..keep];
        }
        return cands;
    }

    /// <summary>With min-p off this is just above -infinity: every finite token.</summary>
    static float MinPThreshold(float max, float minP) => minP > 0f ? max + MathF.Log(minP) : float.MinValue;

    /// <summary>Length of the top-p prefix: stop at the first token whose cumulative (unnormalised)
    /// mass reaches <paramref name="target"/>, keeping that token (llama.cpp, at least one kept).
    /// Returns the whole span when the target is not reached.</summary>
    static int NucleusLength(ReadOnlySpan<Candidate> sortedCands, float max, double target)
    {
        var cum = 0.0;
        for (var i = 0; i < sortedCands.Length; i++)
        {
            cum += Math.Exp(sortedCands[i].Logit - max);
            if (cum >= target) return i + 1;
        }
        return sortedCands.Length;
    }

    /// <summary>
    /// Top-p over the whole vocabulary without sorting it. The normaliser takes one vector pass. A
    /// language model's nucleus is usually small, so the best 256 tokens are tried first (one
    /// skipping pass). Otherwise a mass histogram over 1024 buckets of distance below the max finds
    /// the bucket where the cumulative mass crosses p; tokens in better buckets are in, and only the
    /// crossing bucket is sorted to place the cut exactly. All sums use the same vector exp weights
    /// (vector and scalar exp differ in the last bit, which would move a cut on ties).
    /// </summary>
    static Span<Candidate> Nucleus(ReadOnlySpan<float> logits, float max, float topP, SamplerScratch scratch)
    {
        var w = scratch.Weights.AsSpan(0, logits.Length);
        TensorPrimitives.Subtract(logits, max, w);
        TensorPrimitives.Exp(w, w);
        var target = topP * SumInBlocks(w);

        var first = scratch.CandidateBuffer(Math.Min(NucleusFirstGuess, logits.Length));
        first = first[..TopKSelector.SelectSorted(logits, first.Length, first)];
        var cum = 0.0;
        for (var i = 0; i < first.Length; i++)
        {
            cum += w[first[i].Id];
            if (cum >= target) return first[..(i + 1)];
        }
        if (first.Length < NucleusFirstGuess) return first; // every finite token; rounding kept p out of reach

        var mass = scratch.BucketMass;
        var count = scratch.BucketCount;
        Array.Clear(mass);
        Array.Clear(count);
        // Bucket indices in vector passes (a scalar float-to-int per token made the histogram 3x slower).
        var d = scratch.Distance.AsSpan(0, logits.Length);
        var bucketOf = scratch.BucketOf.AsSpan(0, logits.Length);
        TensorPrimitives.Subtract(max, logits, d);
        TensorPrimitives.Multiply(d, SamplerScratch.Buckets / NucleusBucketSpan, d);
        TensorPrimitives.Min(d, SamplerScratch.Buckets - 1, d); // also caps +inf (masked) before conversion
        TensorPrimitives.ConvertTruncating<float, int>(d, bucketOf);
        for (var i = 0; i < w.Length; i++)
        {
            var wi = w[i];
            if (wi == 0f) continue; // masked, or too far below the max to carry any mass
            var b = bucketOf[i];
            mass[b] += wi;
            count[b]++;
        }

        // Buckets are monotone in the logit (max - l and the scaling are monotone), so every token in a
        // bucket before the crossing one ranks before every token in it.
        var cross = 0;
        var definite = 0;
        cum = 0.0;
        var last = 0;
        for (; cross < SamplerScratch.Buckets; cross++)
        {
            if (count[cross] == 0) continue;
            last = cross;
            if (cum + mass[cross] >= target) break;
            cum += mass[cross];
            definite += count[cross];
        }
        if (cross == SamplerScratch.Buckets)
        {
            cross = last; // rounding: keep everything with weight
            cum -= mass[last];
            definite -= count[last];
        }

        var cands = scratch.CandidateBuffer(definite + count[cross]);
        int nd = 0, nb = definite;
        for (var i = 0; i < w.Length; i++)
        {
            var b = bucketOf[i];
            if (b > cross || w[i] == 0f) continue;
            if (b < cross) cands[nd++] = new Candidate(i, logits[i]);
            else cands[nb++] = new Candidate(i, logits[i]);
        }
        var boundary = cands[definite..];
        boundary.Sort(Candidate.BestFirst);
        for (var j = 0; j < boundary.Length; j++)
        {
            cum += w[boundary[j].Id];
            if (cum >= target) return cands[..(definite + j + 1)];
        }
        return cands;
    }

    /// <summary>Tokens with logit >= <paramref name="threshold"/>, in id order, skipping vector-wide
    /// chunks with none (most of the row, for min-p on a language model's logits).</summary>
    static Span<Candidate> AtLeast(ReadOnlySpan<float> logits, float threshold, SamplerScratch scratch)
    {
        var n = 0;
        var i = 0;
        ref var l0 = ref MemoryMarshal.GetReference(logits);
        var cands = scratch.CandidateBuffer(logits.Length);
        if (Vector256.IsHardwareAccelerated)
        {
            var t = Vector256.Create(threshold);
            for (; i <= logits.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                if (!Vector256.GreaterThanOrEqualAny(Vector256.LoadUnsafe(ref l0, (nuint)i), t)) continue;
                for (var j = i; j < i + Vector256<float>.Count; j++)
                    if (logits[j] >= threshold) cands[n++] = new Candidate(j, logits[j]);
            }
        }
        for (; i < logits.Length; i++)
            if (logits[i] >= threshold) cands[n++] = new Candidate(i, logits[i]);
        return cands[..n];
    }

    /// <summary>
    /// Plain temperature sampling: weights for the whole row in three vector passes, then a walk in
    /// id order that skips whole blocks by their sums. The total is the sum of the same block sums,
    /// so the walk always lands inside it.
    /// </summary>
    static int DrawFullVocabulary(ReadOnlySpan<float> logits, float temperature, double u, float[] weights)
    {
        var max = TensorPrimitives.Max(logits);
        if (!(max > float.NegativeInfinity)) throw NothingToSample();
        var w = weights.AsSpan(0, logits.Length);
        TensorPrimitives.Subtract(logits, max, w);
        if (temperature != 1f) TensorPrimitives.Divide(w, temperature, w);
        TensorPrimitives.Exp(w, w);

        var r = u * SumInBlocks(w);
        var acc = 0.0;
        for (var b = 0; b < w.Length; b += WalkBlock)
        {
            var block = w.Slice(b, Math.Min(WalkBlock, w.Length - b));
            double s = TensorPrimitives.Sum(block);
            if (r >= acc + s && b + WalkBlock < w.Length) { acc += s; continue; }
            var last = -1;
            for (var j = 0; j < block.Length; j++)
            {
                if (block[j] == 0f) continue;
                last = j;
                acc += block[j];
                if (r < acc) return b + j;
            }
            if (last >= 0) return b + last;
            // Rounding left r past a block with no mass; fall back to the last token with any weight.
        }
        for (var i = w.Length - 1; i >= 0; i--) if (w[i] > 0f) return i;
        throw NothingToSample();
    }

    /// <summary>
    /// Vector sums of 1024-element blocks added in double. One float sum over 150k weights drifts by
    /// ~1e-6 relative, enough to move a top-p cut by a token; block sums stay near 1e-7, and the
    /// full-vocabulary walk skips by exactly these block sums so it always lands inside the total.
    /// </summary>
    static double SumInBlocks(ReadOnlySpan<float> w)
    {
        var total = 0.0;
        for (var b = 0; b < w.Length; b += WalkBlock) total += TensorPrimitives.Sum(w.Slice(b, Math.Min(WalkBlock, w.Length - b)));
        return total;
    }

    /// <summary>log Σ exp(x), shifted by the max so it neither overflows nor underflows.</summary>
    static float LogSumExp(ReadOnlySpan<float> x, float[] scratch)
    {
        var max = TensorPrimitives.Max(x);
        var w = scratch.AsSpan(0, x.Length);
        TensorPrimitives.Subtract(x, max, w);
        TensorPrimitives.Exp(w, w);
        return max + (float)Math.Log(SumInBlocks(w));
    }

    static SamplingException NothingToSample() =>
        new("No token can be sampled: the allowed-token mask excludes every token, or every logit is -infinity or NaN. " +
            "Check the grammar or end-of-sequence rules that built the mask.");
}
