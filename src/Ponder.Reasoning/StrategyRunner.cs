using Ponder.Engine;
using Ponder.Reasoning.Generation;
using Ponder.Reasoning.Strategies;
using Ponder.Tokenizers;

namespace Ponder.Reasoning;

/// <summary>
/// Runs one strategy on one problem over in-process engines and closes its ledger: the engines are
/// quiesced before and after so the step counters' deltas are this run's forward passes. With
/// <c>exclusive: false</c> (problems sharing the engines, for throughput) token counts and FLOPs stay
/// exact — they come from per-request usage — but forward passes are not measured (left 0).
/// </summary>
public sealed class StrategyRunner(InferenceEngine policy, Tokenizer policyTokenizer, InferenceEngine? verifier = null)
{
    public async Task<StrategyResult> RunAsync(ITestTimeStrategy strategy, Problem problem, Budget budget, CancellationToken ct = default,
        bool exclusive = true)
    {
        budget.Validate();
        if (!exclusive)
        {
            var shared = new EngineGenerator(policy, policyTokenizer);
            var r = await strategy.RunAsync(shared, problem, budget, ct);
            return r with { Ledger = shared.Ledger.Snapshot() };
        }
        var p0 = await EngineGenerator.QuiesceAsync(policy, ct);
        var v0 = verifier == null ? null : await EngineGenerator.QuiesceAsync(verifier, ct);
        var lm = new EngineGenerator(policy, policyTokenizer);
        var result = await strategy.RunAsync(lm, problem, budget, ct);
        var p1 = await EngineGenerator.QuiesceAsync(policy, ct);
        var v1 = verifier == null ? null : await EngineGenerator.QuiesceAsync(verifier, ct);
        lm.Ledger.AddForwardPasses(p1.Steps - p0.Steps, v1 == null ? 0 : v1.Steps - v0!.Steps,
            p1.Preemptions - p0.Preemptions + (v1 == null ? 0 : v1.Preemptions - v0!.Preemptions));
        return result with { Ledger = lm.Ledger.Snapshot() };
    }
}
