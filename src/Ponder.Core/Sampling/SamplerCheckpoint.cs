namespace Ponder.Sampling;

/// <summary>
/// A sampler's state at one point, by value: its random stream, how many history tokens it held and
/// how many tokens it had sampled. <see cref="Sampler.Restore"/> rolls back to it (speculative
/// decoding, search backtracking). Valid while the history has not been truncated below
/// <see cref="HistoryLength"/> and rewritten since.
/// </summary>
public readonly record struct SamplerCheckpoint(Xoshiro256StarStar Rng, int HistoryLength, long SampledCount);
