using Ponder.Engine;
using Ponder.Models;
using Ponder.Reasoning.Generation;
using Ponder.Reasoning.Strategies;
using Ponder.Reasoning.Verifiers;
using Ponder.Tokenizers;

namespace Ponder.Reasoning.Tests.Generation;

/// <summary>
/// The ledger is the x-axis of every plot, so it must equal the engine's own counters: each strategy
/// runs alone on fresh policy and verifier engines over the random tiny model (its own "PRM"), and
/// every ledger figure is compared with the counters' deltas.
/// </summary>
public sealed class LedgerExactnessTests : IDisposable
{
    readonly Transformer _model = Transformer.Load(TestModel.Path("tiny-llama-q8_0.gguf"), threads: 2);
    public void Dispose() => _model.Dispose();

    [Theory]
    [InlineData("greedy")]
    [InlineData("self-consistency")]
    [InlineData("adaptive-consistency")]
    [InlineData("first-finish")]
    [InlineData("best-of-n")]
    [InlineData("beam")]
    [InlineData("dvts")]
    [InlineData("particle-filter")]
    public async Task Ledger_equals_the_engine_counters(string name)
    {
        var tok = Tokenizer.FromGguf(_model.File.Metadata);
        var options = new EngineOptions { KvTokens = 8192, MaxN = 16 };
        using var policy = new InferenceEngine(_model, new TokenizerText(tok), options);
        using var prmEngine = new InferenceEngine(_model, new TokenizerText(tok), options);
        var prm = new EnginePrmVerifier(prmEngine, tok, TestModel.Format(tok));
        var problem = Problem.FromQuestion("The quick brown fox jumps over the lazy dog.");
        var budget = new Budget(4) { MaxTokens = 12, MaxStepTokens = 5, MaxSteps = 3 };
        var strategy = StrategyRegistry.Create(name, new StrategyOptions { Seed = 11, Expansions = 2, RoundSize = 2 }, prm);

        var p0 = policy.Stats; var v0 = prmEngine.Stats;
        var r = await new StrategyRunner(policy, tok, prmEngine).RunAsync(strategy, problem, budget);
        var p1 = await EngineGenerator.QuiesceAsync(policy); var v1 = await EngineGenerator.QuiesceAsync(prmEngine);
        var l = r.Ledger;

        Assert.Equal(p1.PromptTokensComputed - p0.PromptTokensComputed, l.PromptTokensComputed);
        Assert.Equal(p1.PromptTokensCached - p0.PromptTokensCached, l.PromptTokensCached);
        Assert.Equal(p1.GeneratedTokens - p0.GeneratedTokens, l.GeneratedTokens);
        Assert.Equal(p1.ForwardTokens - p0.ForwardTokens, l.ForwardTokens);
        Assert.Equal(p1.Steps - p0.Steps, l.ForwardPasses);
        Assert.Equal(v1.PromptTokensComputed - v0.PromptTokensComputed, l.VerifierTokensComputed);
        Assert.Equal(v1.PromptTokensCached - v0.PromptTokensCached, l.VerifierTokensCached);
        Assert.Equal(v1.GeneratedTokens - v0.GeneratedTokens, l.VerifierGeneratedTokens);
        Assert.Equal(v1.ForwardTokens - v0.ForwardTokens, l.VerifierTokensComputed); // verdict tokens are sampled, never forwarded
        Assert.Equal(v1.Steps - v0.Steps, l.VerifierForwardPasses);
        Assert.Equal(0, l.Preemptions);
        Assert.True(l.ForwardTokens > 0 && l.ForwardPasses > 0);
        // FLOPs: 2 × matrix parameters per forwarded token, plus a positive attention term.
        double matrix = 2.0 * _model.Config.MatrixParameters * l.ForwardTokens;
        Assert.InRange(l.PolicyFlops - matrix, 1, matrix);
        if (StrategyRegistry.NeedsVerifier(name)) Assert.True(l.VerifierTokensComputed > 0 && l.VerifierFlops > 0);
        // Every session was released.
        for (int i = 0; i < 200 && (policy.Stats.Kv.Used != 0 || policy.Stats.Paused != 0); i++) await Task.Delay(5);
        Assert.Equal(0, policy.Stats.Paused);
        Assert.Equal(0, policy.Stats.Kv.Used);
    }

    [Fact]
    public async Task Step_search_prefills_the_prompt_once_and_forks_share_it()
    {
        var tok = Tokenizer.FromGguf(_model.File.Metadata);
        using var engine = new InferenceEngine(_model, new TokenizerText(tok), new EngineOptions { KvTokens = 8192, PrefixCaching = false });
        var lm = new EngineGenerator(engine, tok);
        string prompt = "In the morning the birds sang their songs, and the people of the town went to work.";
        int n = tok.Encode(prompt).Length;
        using var root = await lm.StartAsync(prompt, new StepSettings { MaxStepTokens = 4, Temperature = 1, Seed = 1 });
        var kids = await lm.ExtendAsync(Enumerable.Range(0, 6).Select(i => new StepRequest(root, (ulong)i + 1)).ToArray());
        var l = lm.Ledger.Snapshot();
        // n - 1 prompt tokens once, then each fork computes the last prompt token itself and samples its own first token.
        Assert.Equal(n - 1 + 6, l.PromptTokensComputed);
        Assert.True(kids.Select(k => k.Text).Distinct().Count() > 1);

        // A round of forks advances together: 6 × 4 tokens in about 4 engine steps, not 24.
        var before = await EngineGenerator.QuiesceAsync(engine);
        var again = await lm.ExtendAsync(Enumerable.Range(0, 6).Select(i => new StepRequest(root, (ulong)i + 100)).ToArray());
        var after = await EngineGenerator.QuiesceAsync(engine);
        Assert.True(again.Sum(k => k.Tokens) >= 12);
        Assert.InRange(after.Steps - before.Steps, 1, 4 + 2); // +2: a fork whose turn is queued while a step runs joins the next
        foreach (var k in kids.Concat(again)) k.Dispose();
    }
}

static class TestModel
{
    public static string Path(string file)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        {
            var p = System.IO.Path.Combine(d.FullName, "testdata", "models", file);
            if (File.Exists(p)) return p;
        }
        throw new FileNotFoundException($"testdata/models/{file} not found above the test binaries");
    }

    /// <summary>The arith PRM format if the vocabulary has single tokens for it, else a marker and verdict the random vocabulary has.</summary>
    public static PrmFormat Format(Tokenizer tok)
    {
        bool Single(string s) => tok.Encode(s, addSpecial: false).Length == 1;
        if (Single("+")) return PrmFormat.Arith;
        return new PrmFormat("#", "the", "a");
    }
}
