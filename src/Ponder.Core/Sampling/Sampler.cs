using System.Numerics.Tensors;

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
/// platform; given the same logits the same seed gives the same tokens. Candidates are ordered by
/// (logit descending, id ascending) before the draw, except the untruncated full-vocabulary path,
/// which walks ids in ascending order.</para>
/// <para>The logits span is working memory: the mask and penalties write into it.</para>
/// </remarks>
public sealed class Sampler
{
    /// <summary>Top-p without top-k first tries this many best tokens, then 8× more, before sorting all.</summary>
    const int NucleusFirstGuess = 256;
    /// <summary>Block size of the cumulative walk in the untruncated path (sum a block, skip it whole).</summary>
    const int WalkBlock = 1024;

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

        var id = p.Temperature == 0f ? Greedy(logits) : Draw(logits, p, scratch);

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

    static int Greedy(ReadOnlySpan<float> logits)
    {
        // TensorPrimitives.IndexOfMax returns the first index of the maximum: lowest id on ties.
        var id = TensorPrimitives.IndexOfMax(logits);
        if (!(logits[id] > float.NegativeInfinity)) throw NothingToSample();
        return id;
    }

    int Draw(ReadOnlySpan<float> logits, SamplingParams p, SamplerScratch scratch)
    {
        var u = _rng.NextDouble();
        if (!Truncates(p, logits.Length)) return DrawFullVocabulary(logits, p.Temperature, u, scratch.Weights);

        var cands = Survivors(logits, p, scratch);
        // Temperature reshapes the survivors only; weights relative to the best keep exp() in range.
        var max = cands[0].Logit;
        var invT = 1.0 / p.Temperature;
        var total = 0.0;
        foreach (ref readonly var c in cands) total += Math.Exp((c.Logit - max) * invT);
        var r = u * total;
        var acc = 0.0;
        for (var i = 0; i < cands.Length; i++)
        {
            acc += Math.Exp((cands[i].Logit - max) * invT);
            if (r < acc) return cands[i].Id;
        }
        return cands[^1].Id; // r within rounding of the total
    }

    static bool Truncates(SamplingParams p, int vocabSize) =>
        (p.TopK > 0 && p.TopK < vocabSize) || p.TopP < 1f || p.MinP > 0f;

    /// <summary>
    /// The tokens left after top-k, top-p and min-p (in that order), best first; never empty.
    /// Works on the logits as given (mask and penalties already applied).
    /// </summary>
    internal static Span<Candidate> Survivors(ReadOnlySpan<float> logits, SamplingParams p, SamplerScratch scratch)
    {
        var topK = p.TopK > 0 && p.TopK < logits.Length ? p.TopK : 0;
        Span<Candidate> cands;
        float max;
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
            cands = p.TopP < 1f ? Nucleus(logits, max, p.TopP, scratch) : AboveMinP(logits, max, p.MinP, scratch);
        }

        if (p.MinP > 0f)
        {
            // llama.cpp compares logits: keep l >= max + ln(min_p), i.e. p_i >= min_p * p_max.
            var threshold = max + MathF.Log(p.MinP);
            var keep = 1;
            while (keep < cands.Length && cands[keep].Logit >= threshold) keep++;
            cands = cands[..keep];
        }
        return cands;
    }

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
    /// Top-p over the whole vocabulary without sorting it: the normaliser needs one vector pass, then
    /// the best 256 tokens are selected; if their mass is short of p, 8× more, and so on. A language
    /// model's nucleus is usually within the first guess; a flat distribution ends in a full sort.
    /// The cut sums the same weights as the normaliser (vector exp and scalar exp differ in the last
    /// bit, which would move the cut on ties).
    /// </summary>
    static Span<Candidate> Nucleus(ReadOnlySpan<float> logits, float max, float topP, SamplerScratch scratch)
    {
        var w = scratch.Weights.AsSpan(0, logits.Length);
        TensorPrimitives.Subtract(logits, max, w);
        TensorPrimitives.Exp(w, w);
        var target = topP * (double)TensorPrimitives.Sum(w);
        for (var k = NucleusFirstGuess; ; k *= 8)
        {
            var all = k >= logits.Length;
            if (all) k = logits.Length;
            var cands = scratch.CandidateBuffer(k);
            cands = cands[..TopKSelector.SelectSorted(logits, k, cands)];
            var cum = 0.0;
            for (var i = 0; i < cands.Length; i++)
            {
                cum += w[cands[i].Id];
                if (cum >= target) return cands[..(i + 1)];
            }
            if (all || cands.Length < k) return cands; // rounding kept the target just out of reach
        }
    }

    /// <summary>Min-p alone: a threshold pass, then a sort of the survivors only.</summary>
    static Span<Candidate> AboveMinP(ReadOnlySpan<float> logits, float max, float minP, SamplerScratch scratch)
    {
        // With min-p off (only when called for the survivor set itself) this keeps every finite token.
        var threshold = minP > 0f ? max + MathF.Log(minP) : float.MinValue;
        var n = 0;
        foreach (var l in logits) if (l >= threshold) n++;
        var cands = scratch.CandidateBuffer(n);
        n = 0;
        for (var i = 0; i < logits.Length; i++)
            if (logits[i] >= threshold) cands[n++] = new Candidate(i, logits[i]);
        cands.Sort(new BestFirst());
        return cands;
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

        var total = 0.0;
        for (var b = 0; b < w.Length; b += WalkBlock) total += TensorPrimitives.Sum(w.Slice(b, Math.Min(WalkBlock, w.Length - b)));
        var r = u * total;
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

    /// <summary>log Σ exp(x), shifted by the max so it neither overflows nor underflows.</summary>
    static float LogSumExp(ReadOnlySpan<float> x, float[] scratch)
    {
        var max = TensorPrimitives.Max(x);
        var w = scratch.AsSpan(0, x.Length);
        TensorPrimitives.Subtract(x, max, w);
        TensorPrimitives.Exp(w, w);
        return max + MathF.Log(TensorPrimitives.Sum(w));
    }

    static SamplingException NothingToSample() =>
        new("No token can be sampled: the allowed-token mask excludes every token, or every logit is -infinity or NaN. " +
            "Check the grammar or end-of-sequence rules that built the mask.");
}
