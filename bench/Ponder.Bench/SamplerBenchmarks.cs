using BenchmarkDotNet.Attributes;
using Ponder.Sampling;

namespace Ponder.Bench;

/// <summary>
/// One token's sampling over a Qwen2-sized vocabulary (151936). Each benchmark is one call, so the
/// mean is µs per token. Greedy is the baseline the others are reported against. The row is
/// Gaussian with sd 3, peakier than uniform noise but flatter than most real LM rows, so the
/// full-vocabulary top-p case is a pessimistic one (a nucleus of thousands of tokens).
/// </summary>
[MemoryDiagnoser]
public class SamplerBenchmarks
{
    const int Vocab = 151936;

    float[] _logits = [];
    float[] _work = [];
    readonly TokenLogprob[] _top = new TokenLogprob[SamplingParams.MaxTopLogprobs];
    Sampler _greedy = null!, _greedyLogprobs = null!, _topKTopPTemp = null!, _temperature = null!, _topP = null!, _minP = null!, _penalties = null!;
    SamplerCheckpoint _penaltiesStart;

    [GlobalSetup]
    public void Setup()
    {
        var r = new Random(42);
        _logits = new float[Vocab];
        for (var i = 0; i < Vocab; i++)
        {
            // Box-Muller: a Gaussian row, sd 3.
            var u1 = 1.0 - r.NextDouble();
            var u2 = r.NextDouble();
            _logits[i] = (float)(3.0 * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }
        _work = new float[Vocab];
        _greedy = new Sampler(SamplingParams.Greedy, Vocab);
        _greedyLogprobs = new Sampler(SamplingParams.Greedy with { Logprobs = true, TopLogprobs = 5 }, Vocab);
        _topKTopPTemp = new Sampler(new SamplingParams { TopK = 40, TopP = 0.95f, Temperature = 0.8f, Seed = 1 }, Vocab);
        _temperature = new Sampler(new SamplingParams { Temperature = 0.8f, Seed = 1 }, Vocab);
        _topP = new Sampler(new SamplingParams { TopP = 0.95f, Temperature = 0.8f, Seed = 1 }, Vocab);
        _minP = new Sampler(new SamplingParams { MinP = 0.05f, Temperature = 0.8f, Seed = 1 }, Vocab);
        _penalties = new Sampler(new SamplingParams
        {
            TopK = 40, TopP = 0.95f, Temperature = 0.8f, Seed = 1,
            RepetitionPenalty = 1.1f, PresencePenalty = 0.5f, FrequencyPenalty = 0.5f, PenaltyLastN = 64,
        }, Vocab);
        for (var i = 0; i < 64; i++) _penalties.Accept(r.Next(Vocab));
        _penaltiesStart = _penalties.Checkpoint();
    }

    // Without mask or penalties the row is only read, so these reuse it untouched.
    [Benchmark(Baseline = true)] public int Greedy() => _greedy.Sample(_logits).Id;
    [Benchmark] public int GreedyWithLogprobsTop5() => _greedyLogprobs.Sample(_logits, default, _top).Id;
    [Benchmark] public int TopK40_TopP095_Temp08() => _topKTopPTemp.Sample(_logits).Id;
    [Benchmark] public int Temp08_FullVocabulary() => _temperature.Sample(_logits).Id;
    [Benchmark] public int TopP095_Temp08_NoTopK() => _topP.Sample(_logits).Id;
    [Benchmark] public int MinP005_Temp08() => _minP.Sample(_logits).Id;

    /// <summary>Penalties write into the row, so this one copies it first (the copy is counted).</summary>
    [Benchmark]
    public int TopK40_TopP095_Temp08_Penalties64()
    {
        _logits.CopyTo(_work, 0);
        var id = _penalties.Sample(_work).Id;
        _penalties.Restore(_penaltiesStart); // keep the history at 64 tokens across millions of calls
        return id;
    }
}
