using Ponder.Engine;
using Ponder.Models;
using Ponder.Reasoning.Strategies;
using Ponder.Reasoning.Verifiers;
using Ponder.Tokenizers;

namespace Ponder.Reasoning;

/// <summary>
/// The policy model and (optionally) the PRM, each with its own engine, sized for a largest budget;
/// what <c>ponder ask</c> and <c>ponder eval</c> share.
/// </summary>
public sealed class ReasoningHost : IDisposable
{
    readonly Transformer _policy;
    readonly Transformer? _prmModel;
    public InferenceEngine Policy { get; }
    public Tokenizer PolicyTokenizer { get; }
    public InferenceEngine? PrmEngine { get; }
    public EnginePrmVerifier? Prm { get; }
    public StrategyRunner Runner { get; }
    public string ModelPath { get; }

    public ReasoningHost(string modelPath, string? prmPath, int maxBudget, Budget limits, int threads, int parallel = 1)
    {
        ModelPath = modelPath;
        _policy = Transformer.Load(modelPath, threads);
        try
        {
            PolicyTokenizer = Tokenizer.FromGguf(_policy.File.Metadata);
            int n = Math.Max(maxBudget, 4), live = n * Math.Max(1, parallel);
            // Every candidate of a round may hold a whole solution at once (forks share the prompt).
            int perSeq = Math.Min(_policy.Config.ContextLength, limits.MaxTokens + limits.MaxStepTokens + 128);
            Policy = new InferenceEngine(_policy, new TokenizerText(PolicyTokenizer), new EngineOptions
            {
                KvTokens = (live + 4) * perSeq, MaxN = n, MaxRunningSequences = Math.Max(64, live),
            });
            if (prmPath != null)
            {
                _prmModel = Transformer.Load(prmPath, threads);
                var prmTok = Tokenizer.FromGguf(_prmModel.File.Metadata);
                int prmSeq = Math.Min(_prmModel.Config.ContextLength, limits.MaxTokens + 128);
                PrmEngine = new InferenceEngine(_prmModel, new TokenizerText(prmTok), new EngineOptions
                {
                    KvTokens = (live + 4) * prmSeq * 2, MaxRunningSequences = Math.Max(64, live),
                });
                Prm = new EnginePrmVerifier(PrmEngine, prmTok);
            }
            Runner = new StrategyRunner(Policy, PolicyTokenizer, PrmEngine);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public ITestTimeStrategy Create(string name, StrategyOptions options, AutoPolicy? policy = null) =>
        StrategyRegistry.Create(name, options with { AutoPolicyPath = options.AutoPolicyPath ?? AutoPolicy.PathFor(ModelPath) }, Prm, Prm, policy);

    /// <summary>The shipped model (models/NAME) found above the working directory or the binaries, or null.</summary>
    public static string? FindShipped(string relative)
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
            {
                var p = Path.Combine(d.FullName, relative);
                if (File.Exists(p)) return p;
            }
        return null;
    }

    public void Dispose()
    {
        PrmEngine?.Dispose();
        Policy?.Dispose();
        _prmModel?.Dispose();
        _policy.Dispose();
    }
}
