using Ponder.Core.Tests;
using Ponder.Engine;
using Ponder.Models;
using Ponder.Sampling;

namespace Ponder.Engine.Tests;

/// <summary>Continuous batching on the tiny reference model: equal results alone and in a batch,
/// prefill once for n samples, prefix reuse, cancellation and preemption that leak no block.</summary>
public sealed class EngineTests : IDisposable
{
    readonly Transformer _model = Transformer.Load(TestData.Model("tiny-llama-q8_0.gguf"), threads: 2);

    public void Dispose() => _model.Dispose();

    static int[] RandomPrompt(int seed, int length)
    {
        var rng = new Random(seed);
        var p = new int[length];
        p[0] = 1;
        for (int i = 1; i < length; i++) p[i] = rng.Next(3, 512);
        return p;
    }

    InferenceEngine Engine(EngineOptions? o = null)
    {
        var e = new InferenceEngine(_model, null, o ?? new EngineOptions { KvTokens = 4096 });
        e.AfterStep = pool => pool.CheckInvariants();
        return e;
    }

    [Fact]
    public async Task Greedy_engine_output_equals_single_session_loop()
    {
        var prompt = RandomPrompt(1, 20);
        using var engine = Engine();
        var r = await engine.GenerateAsync(new GenerationRequest { Prompt = prompt, MaxTokens = 24, IgnoreEos = true });

        using var s = new InferenceSession(_model, 64);
        var logits = new float[512];
        var expected = new List<int>();
        s.Evaluate(prompt, logits);
        for (int i = 0; i < 24; i++)
        {
            int t = ArgMax(logits);
            expected.Add(t);
            s.Evaluate([t], logits);
        }
        Assert.Equal(expected, r.Sequences[0].Tokens);
        Assert.Equal(FinishReason.Length, r.Sequences[0].Finish);
        Assert.Equal(new RequestUsage(20, 0, 24, 20), r.Usage);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(0.9f)]
    public async Task A_sequence_is_bit_identical_alone_and_beside_fifteen_others(float temperature)
    {
        var sampling = new SamplingParams { Temperature = temperature, Seed = 7, Logprobs = true };
        var target = new GenerationRequest { Prompt = RandomPrompt(99, 37), MaxTokens = 40, Sampling = sampling, IgnoreEos = true };
        GenerationResult alone;
        using (var e = Engine()) alone = await e.GenerateAsync(target);

        using var engine = Engine(new EngineOptions { KvTokens = 8192, MaxBatchTokens = 64 });
        var others = Enumerable.Range(0, 15).Select(i => engine.Submit(new GenerationRequest
        {
            Prompt = RandomPrompt(i, 5 + 7 * i),
            MaxTokens = 10 + 3 * i,
            Sampling = new SamplingParams { Temperature = 0.8f, Seed = (ulong)i },
            IgnoreEos = true,
        })).ToList();
        var together = await engine.Submit(target).CollectAsync();
        foreach (var o in others) await o.CollectAsync();

        Assert.Equal(alone.Sequences[0].Tokens, together.Sequences[0].Tokens);
        Assert.Equal(alone.Sequences[0].Logprobs, together.Sequences[0].Logprobs); // logprobs come from the logits: bitwise equal
        Assert.Equal(0, engine.Stats.Kv.Used);
    }

    [Fact]
    public async Task N_samples_prefill_the_prompt_once_and_follow_their_seeds()
    {
        using var engine = Engine(new EngineOptions { KvTokens = 4096, PrefixCaching = false });
        var req = new GenerationRequest
        {
            Prompt = RandomPrompt(5, 45), MaxTokens = 12, N = 4, IgnoreEos = true,
            Sampling = new SamplingParams { Temperature = 1.0f, Seed = 1234 },
        };
        var a = await engine.GenerateAsync(req);
        var b = await engine.GenerateAsync(req);
        Assert.Equal(45, a.Usage.PromptTokensComputed);
        Assert.Equal(48, a.Usage.CompletionTokens);
        for (int i = 0; i < 4; i++) Assert.Equal(a.Sequences[i].Tokens, b.Sequences[i].Tokens);
        Assert.True(a.Sequences.Select(s => string.Join(",", s.Tokens)).Distinct().Count() > 1, "different seeds should give different samples");
        Assert.Equal(0, engine.Stats.Kv.Used);
    }

    [Fact]
    public async Task A_repeated_prompt_is_served_from_the_prefix_cache()
    {
        using var engine = Engine();
        var req = new GenerationRequest { Prompt = RandomPrompt(3, 100), MaxTokens = 4, IgnoreEos = true };
        var cold = await engine.GenerateAsync(req);
        var warm = await engine.GenerateAsync(req);
        Assert.Equal(0, cold.Usage.CachedPromptTokens);
        Assert.Equal(96, warm.Usage.CachedPromptTokens); // 6 full blocks of 16; the last token is always recomputed
        Assert.Equal(4, warm.Usage.PromptTokensComputed);
        Assert.Equal(cold.Sequences[0].Tokens, warm.Sequences[0].Tokens);
    }

    [Fact]
    public async Task Cancelling_frees_the_blocks()
    {
        using var engine = Engine();
        using var cts = new CancellationTokenSource();
        var h = engine.Submit(new GenerationRequest { Prompt = RandomPrompt(4, 30), MaxTokens = 400, IgnoreEos = true }, cts.Token);
        int seen = 0;
        await foreach (var e in h.Events())
        {
            if (e.IsFinal) { Assert.Equal(FinishReason.Cancelled, e.Finish); break; }
            if (++seen == 3) cts.Cancel();
        }
        await h.Usage;
        for (int i = 0; i < 100 && engine.Stats.Kv.Used != 0; i++) await Task.Delay(10);
        Assert.Equal(0, engine.Stats.Kv.Used);
    }

    [Fact]
    public async Task Preemption_under_a_small_cache_gives_the_same_tokens()
    {
        var reqs = Enumerable.Range(0, 6).Select(i => new GenerationRequest { Prompt = RandomPrompt(20 + i, 40), MaxTokens = 40, IgnoreEos = true }).ToArray();
        using var big = Engine();
        var expected = await Task.WhenAll(reqs.Select(r => big.GenerateAsync(r)));
        using var small = Engine(new EngineOptions { KvTokens = 16 * 14, MaxBatchTokens = 64 });
        var got = await Task.WhenAll(reqs.Select(r => small.GenerateAsync(r)));
        for (int i = 0; i < reqs.Length; i++) Assert.Equal(expected[i].Sequences[0].Tokens, got[i].Sequences[0].Tokens);
        Assert.True(small.Stats.Preemptions > 0, "the small cache should have forced preemption");
        Assert.Equal(0, small.Stats.Kv.Used);
    }

    [Fact]
    public async Task Stop_strings_end_generation_without_being_emitted()
    {
        using var engine = new InferenceEngine(_model, new DigitText(), new EngineOptions { KvTokens = 1024 });
        var r = await engine.GenerateAsync(new GenerationRequest { Prompt = RandomPrompt(8, 10), MaxTokens = 50, IgnoreEos = true });
        var full = r.Sequences[0].Text;
        Assert.True(full.Length > 10);
        string stop = full.Substring(6, 3);
        var s = await engine.GenerateAsync(new GenerationRequest { Prompt = RandomPrompt(8, 10), MaxTokens = 50, IgnoreEos = true, Stop = [stop] });
        Assert.Equal(full[..full.IndexOf(stop, StringComparison.Ordinal)], s.Sequences[0].Text);
        Assert.Equal(FinishReason.Stop, s.Sequences[0].Finish);
    }


    static int ArgMax(ReadOnlySpan<float> x)
    {
        int best = 0;
        for (int i = 1; i < x.Length; i++) if (x[i] > x[best]) best = i;
        return best;
    }
}
