using Ponder.Engine.KvCache;

namespace Ponder.Engine;

/// <summary>A snapshot of the engine's counters, published after every step.</summary>
public sealed record EngineStats(
    KvPoolStats Kv,
    int PeakUsedBlocks,
    long Steps,
    long ForwardTokens,
    long PromptTokensComputed,
    long PromptTokensCached,
    long GeneratedTokens,
    long Preemptions,
    int Running,
    int Waiting,
    int Paused);
