using Ponder.Core.Tests;
using Ponder.Models;
using Ponder.Sampling;

namespace Ponder.Engine.Tests;

/// <summary>Sessions: turns continue where they stopped, forks share KV and replay or reseed the sampler,
/// and releasing every session leaves no block held.</summary>
public sealed class SessionTests : IDisposable
{
    readonly Transformer _model = Transformer.Load(TestData.Model("tiny-llama-q8_0.gguf"), threads: 2);
    public void Dispose() => _model.Dispose();

    static int[] Prompt(int seed, int n)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(i => i == 0 ? 1 : rng.Next(3, 512)).ToArray();
    }

    [Fact]
    public async Task Turns_and_forks_continue_exactly_as_one_long_generation()
    {
        using var engine = new InferenceEngine(_model, null, new EngineOptions { KvTokens = 2048 });
        var prompt = Prompt(1, 21);
        var whole = await engine.GenerateAsync(new GenerationRequest { Prompt = prompt, MaxTokens = 30, IgnoreEos = true });

        using var s = engine.StartSession(prompt);
        var first = await s.ContinueAsync(10);
        Assert.Equal(whole.Sequences[0].Tokens[..10], first.Sequences[0].Tokens);
        using var f = await s.ForkAsync();
        var a = await s.ContinueAsync(20);
        var b = await f.ContinueAsync(20);
        Assert.Equal(whole.Sequences[0].Tokens[10..], a.Sequences[0].Tokens);
        Assert.Equal(a.Sequences[0].Tokens, b.Sequences[0].Tokens);
        Assert.Equal(1, b.Usage.PromptTokensComputed); // the pending token only: the rest is shared KV
    }

    [Fact]
    public async Task Reseeded_forks_diverge_and_identical_forks_replay()
    {
        using var engine = new InferenceEngine(_model, null, new EngineOptions { KvTokens = 4096 });
        var sampling = new SamplingParams { Temperature = 1.0f, Seed = 9 };
        using var root = engine.StartSession(Prompt(2, 30), sampling);
        await root.ContinueAsync(3);
        using var same = await root.ForkAsync();
        var forks = new List<SequenceSession>();
        for (int i = 0; i < 4; i++) forks.Add(await root.ForkAsync(seed: Sampler.DeriveSeed(77, i)));
        var r0 = await root.ContinueAsync(12);
        var r1 = await same.ContinueAsync(12);
        Assert.Equal(r0.Sequences[0].Tokens, r1.Sequences[0].Tokens);
        var outs = await Task.WhenAll(forks.Select(x => x.ContinueAsync(12)));
        Assert.True(outs.Select(o => string.Join(",", o.Sequences[0].Tokens)).Distinct().Count() > 1);
        foreach (var x in forks) x.Dispose();
        root.Dispose();
        same.Dispose();
        for (int i = 0; i < 100 && engine.Stats.Kv.Used != 0; i++) await Task.Delay(5);
        Assert.Equal(0, engine.Stats.Kv.Used);
    }

    [Fact]
    public async Task Stop_strings_pause_a_session_which_can_then_continue()
    {
        using var engine = new InferenceEngine(_model, new DigitText(), new EngineOptions { KvTokens = 2048 });
        var prompt = Prompt(3, 12);
        var whole = await engine.GenerateAsync(new GenerationRequest { Prompt = prompt, MaxTokens = 40, IgnoreEos = true });
        string text = whole.Sequences[0].Text;
        string stop = text.Substring(text.IndexOf(';') + 1, 3);
        using var s = engine.StartSession(prompt);
        var t1 = await s.ContinueAsync(40, [stop]);
        Assert.Equal(FinishReason.Stop, t1.Sequences[0].Finish);
        var t2 = await s.ContinueAsync(5);
        Assert.Equal(5, t2.Sequences[0].Tokens.Length);
        Assert.Equal(whole.Sequences[0].Tokens[..(t1.Sequences[0].Tokens.Length + 5)], t1.Sequences[0].Tokens.Concat(t2.Sequences[0].Tokens).ToArray());
    }

}
