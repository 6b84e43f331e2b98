namespace Ponder.Sampling;

/// <summary>
/// Vocabulary-sized work buffers, one set per thread. Sampling state that must fork lives in
/// <see cref="Sampler"/>; these hold nothing between calls, so sharing them per thread (samplers
/// of different sequences may run on different threads, and <see cref="Sampler.Sample"/> never
/// awaits) avoids both a per-token allocation and 1-2 MB of buffers per sequence.
/// </summary>
internal sealed class SamplerScratch
{
    [ThreadStatic] static SamplerScratch? t_current;

    /// <summary>exp() of shifted logits for the full-vocabulary paths.</summary>
    public float[] Weights = [];
    /// <summary>Copy of the model's logits before mask and penalties, for raw logprobs.</summary>
    public float[] Raw = [];
    /// <summary>Per-token occurrence counts in the penalty window; all zero between calls.</summary>
    public int[] Counts = [];
    /// <summary>Survivors of truncation, best first.</summary>
    public Candidate[] Candidates = [];
    /// <summary>Top alternatives for logprobs.</summary>
    public Candidate[] Top = new Candidate[SamplingParams.MaxTopLogprobs];

    /// <summary>Histogram resolution of the full-vocabulary top-p path.</summary>
    public const int Buckets = 1024;
    public readonly double[] BucketMass = new double[Buckets];
    public readonly int[] BucketCount = new int[Buckets];
    /// <summary>Distance below the max and bucket index per token, for the top-p histogram.</summary>
    public float[] Distance = [];
    public int[] BucketOf = [];
    /// <summary>Temperature weights of the survivors, parallel to <see cref="Candidates"/>.</summary>
    public double[] DrawWeights = [];

    public static SamplerScratch For(int vocabSize)
    {
        var s = t_current ??= new SamplerScratch();
        if (s.Weights.Length < vocabSize)
        {
            s.Weights = new float[vocabSize];
            s.Raw = new float[vocabSize];
            s.Counts = new int[vocabSize];
            s.Distance = new float[vocabSize];
            s.BucketOf = new int[vocabSize];
        }
        return s;
    }

    public Span<Candidate> CandidateBuffer(int size)
    {
        if (Candidates.Length < size) Candidates = new Candidate[Math.Max(size, 256)];
        return Candidates.AsSpan(0, size);
    }

    public Span<double> DrawWeightBuffer(int size)
    {
        if (DrawWeights.Length < size) DrawWeights = new double[Math.Max(size, 256)];
        return DrawWeights.AsSpan(0, size);
    }
}
