namespace Ponder.Sampling;

/// <summary>A token id with its log-probability (natural log) under the model's distribution.</summary>
public readonly record struct TokenLogprob(int Id, float Logprob);
