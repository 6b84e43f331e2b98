using System.Diagnostics;
using Ponder.Models;

namespace Ponder.Reasoning;

/// <summary>
/// The compute a strategy spent on one problem, as every plot's x-axis means it. Token counts are
/// taken from the engine's per-request usage (so they are exact even when other work shares the
/// engine); forward passes are engine steps observed around the run (exact when the problem has the
/// engine to itself, as in <c>ponder eval</c>). FLOPs = 2 × matrix parameters × forwarded tokens
/// + attention (4 × layers × heads × head dim × attended positions), for the policy and the verifier.
/// Thread-safe: verifier and generator may count at once.
/// </summary>
public sealed class ComputeLedger
{
    readonly object _gate = new();
    readonly Stopwatch _clock = Stopwatch.StartNew();
    long _promptTokens, _promptComputed, _promptCached, _contextReused, _generated, _forward, _requests;
    long _verifierComputed, _verifierCached, _verifierGenerated, _verifierRequests;
    long _forwardPasses, _verifierForwardPasses, _preemptions;
    double _policyFlops, _verifierFlops;

    /// <summary>One policy request or session turn. <paramref name="contextTokens"/> is the length
    /// of what the request continues (prompt, or the session's tokens after the append);
    /// <paramref name="generated"/> holds each sequence's generated token count.</summary>
    public void AddPolicy(ModelConfig? config, int contextTokens, int promptTokensComputed, int promptTokensCached,
        ReadOnlySpan<int> generated, bool continuedSession = false)
    {
        long gen = 0, decodeForwarded = 0;
        double flops = config == null ? 0 : Flops(config, contextTokens - promptTokensComputed, promptTokensComputed);
        foreach (int g in generated)
        {
            gen += g;
            // The last token a sequence samples is never forwarded in this request (it ends it, or a later turn computes it).
            int fwd = Math.Max(0, g - 1);
            decodeForwarded += fwd;
            if (config != null) flops += Flops(config, contextTokens, fwd);
        }
        lock (_gate)
        {
            _requests++;
            if (continuedSession) _contextReused += contextTokens - promptTokensComputed;
            else _promptTokens += contextTokens;
            _promptComputed += promptTokensComputed;
            _promptCached += promptTokensCached;
            _generated += gen;
            _forward += promptTokensComputed + decodeForwarded;
            _policyFlops += flops;
        }
    }

    /// <summary>One verifier request: <paramref name="promptTokens"/> read, of which
    /// <paramref name="computed"/> were forwarded and <paramref name="cached"/> came from the prefix cache;
    /// <paramref name="generated"/> verdict tokens were sampled (never forwarded).</summary>
    public void AddVerifier(ModelConfig? config, int promptTokens, int computed, int cached, int generated)
    {
        double flops = config == null ? 0 : Flops(config, promptTokens - computed, computed);
        lock (_gate)
        {
            _verifierRequests++;
            _verifierComputed += computed;
            _verifierCached += cached;
            _verifierGenerated += generated;
            _verifierFlops += flops;
        }
    }

    /// <summary>Engine steps (forward passes) seen around the run, for the policy and the verifier engines.</summary>
    public void AddForwardPasses(long policy, long verifier, long preemptions)
    {
        lock (_gate)
        {
            _forwardPasses += policy;
            _verifierForwardPasses += verifier;
            _preemptions += preemptions;
        }
    }

    /// <summary>FLOPs of forwarding <paramref name="count"/> tokens at positions first..first+count-1.</summary>
    public static double Flops(ModelConfig c, int first, int count)
    {
        if (count <= 0) return 0;
        double matrix = 2.0 * c.MatrixParameters * count;
        // Q·K and softmax·V: 2 FLOPs × head dim × heads per attended position, twice; position p attends p+1 slots.
        double positions = (double)count * first + (double)count * (count + 1) / 2;
        double attention = 4.0 * c.LayerCount * c.HeadCount * c.HeadDim * positions;
        return matrix + attention;
    }

    public LedgerSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new LedgerSnapshot
            {
                PromptTokens = _promptTokens,
                PromptTokensComputed = _promptComputed,
                PromptTokensCached = _promptCached,
                ContextTokensReused = _contextReused,
                GeneratedTokens = _generated,
                ForwardTokens = _forward,
                PolicyRequests = _requests,
                VerifierTokensComputed = _verifierComputed,
                VerifierTokensCached = _verifierCached,
                VerifierGeneratedTokens = _verifierGenerated,
                VerifierRequests = _verifierRequests,
                ForwardPasses = _forwardPasses,
                VerifierForwardPasses = _verifierForwardPasses,
                Preemptions = _preemptions,
                PolicyFlops = _policyFlops,
                VerifierFlops = _verifierFlops,
                WallSeconds = _clock.Elapsed.TotalSeconds,
            };
        }
    }
}

/// <summary>A finished ledger (see <see cref="ComputeLedger"/>), as results.jsonl stores it.</summary>
public sealed record LedgerSnapshot
{
    /// <summary>Prompt tokens of fresh requests (not of continued session turns).</summary>
    public long PromptTokens { get; init; }
    /// <summary>Prompt (and appended) tokens the policy forwarded.</summary>
    public long PromptTokensComputed { get; init; }
    /// <summary>Prompt tokens served from the prefix cache.</summary>
    public long PromptTokensCached { get; init; }
    /// <summary>Tokens a continued or forked session did not recompute because it kept their KV.</summary>
    public long ContextTokensReused { get; init; }
    public long GeneratedTokens { get; init; }
    /// <summary>Every token the policy forwarded (prompt computed + decode steps).</summary>
    public long ForwardTokens { get; init; }
    public long PolicyRequests { get; init; }
    public long VerifierTokensComputed { get; init; }
    public long VerifierTokensCached { get; init; }
    public long VerifierGeneratedTokens { get; init; }
    public long VerifierRequests { get; init; }
    public long ForwardPasses { get; init; }
    public long VerifierForwardPasses { get; init; }
    public long Preemptions { get; init; }
    public double PolicyFlops { get; init; }
    public double VerifierFlops { get; init; }
    public double Flops => PolicyFlops + VerifierFlops;
    public double WallSeconds { get; init; }
}
