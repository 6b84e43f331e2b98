namespace Ponder.Sampling;

/// <summary>
/// What <see cref="Sampler.Sample"/> picked. <see cref="Logprob"/> is the chosen token's
/// log-probability under the model's raw distribution (see <see cref="Sampler"/> for why), or NaN
/// when <see cref="SamplingParams.Logprobs"/> is off (computing it costs a pass over the vocabulary).
/// <see cref="TopLogprobCount"/> entries of the caller's alternatives buffer were written.
/// </summary>
public readonly record struct SampledToken(int Id, float Logprob, int TopLogprobCount);
