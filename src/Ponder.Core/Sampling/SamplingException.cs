namespace Ponder.Sampling;

/// <summary>No token can be sampled: the allowed-token mask (grammar, end-of-sequence rules) left
/// nothing, or every logit is -infinity or NaN. Usually a grammar that cannot continue.</summary>
public sealed class SamplingException(string message) : PonderException(message);
