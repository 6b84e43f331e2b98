using FsCheck.Xunit;
using Ponder.Core.Tests;
using Ponder.Models;
using Ponder.Sampling;

namespace Ponder.Engine.Tests;

/// <summary>Many random requests through one engine (submit, n-way forks, cancellation, a cache small
/// enough to evict and preempt), with the block pool's invariants checked after every step and no block
/// held at the end.</summary>
public sealed class SoakTests : IClassFixture<SoakTests.ModelFixture>
{
    public sealed class ModelFixture : IDisposable
    {
        public Transformer Model { get; } = Transformer.Load(TestData.Model("tiny-qwen2-q8_0.gguf"), threads: 2);
        public void Dispose() => Model.Dispose();
    }

    readonly Transformer _model;
    public SoakTests(ModelFixture f) => _model = f.Model;

    async Task RunScript(int seed, int requests, int kvTokens)
    {
        var rng = new Random(seed);
        using var engine = new InferenceEngine(_model, null, new EngineOptions { KvTokens = kvTokens, MaxBatchTokens = 48, BlockTokens = 8 });
        engine.AfterStep = pool => pool.CheckInvariants();
        var shared = Enumerable.Range(0, 24).Select(_ => rng.Next(512)).ToArray();
        var tasks = new List<Task>();
        for (int i = 0; i < requests; i++)
        {
            int len = 1 + rng.Next(40);
            var prompt = Enumerable.Range(0, len).Select(j => j < 24 && rng.Next(2) == 0 ? shared[j] : rng.Next(512)).ToArray();
            var cts = new CancellationTokenSource();
            var h = engine.Submit(new GenerationRequest
            {
                Prompt = prompt,
                MaxTokens = rng.Next(12),
                N = 1 + rng.Next(3),
                Sampling = new SamplingParams { Temperature = rng.Next(2) * 0.9f, Seed = (ulong)i },
                IgnoreEos = true,
            }, cts.Token);
            int cancelAfter = rng.Next(4) == 0 ? rng.Next(5) : -1;
            tasks.Add(Task.Run(async () =>
            {
                int seen = 0;
                await foreach (var e in h.Events())
                    if (!e.IsFinal && seen++ == cancelAfter) cts.Cancel();
                await h.Usage;
                cts.Dispose();
            }));
            if (rng.Next(8) == 0) await Task.Delay(1);
        }
        await Task.WhenAll(tasks);
        for (int i = 0; i < 200 && engine.Stats.Kv.Used != 0; i++) await Task.Delay(5);
        Assert.Equal(0, engine.Stats.Kv.Used);
    }

    [Fact]
    public Task Two_thousand_random_requests_leave_no_block_held() => RunScript(seed: 11, requests: 2000, kvTokens: 8 * 40);

    [Property(MaxTest = 12)]
    public void Random_interleavings_keep_the_pool_consistent(int seed) =>
        RunScript(seed, requests: 30, kvTokens: 8 * (12 + (seed & 0x7FFFFFFF) % 20)).GetAwaiter().GetResult();
}
