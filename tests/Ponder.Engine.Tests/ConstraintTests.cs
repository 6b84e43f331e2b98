using Ponder.Core.Tests;
using Ponder.Engine;
using Ponder.Models;
using Ponder.Sampling;

namespace Ponder.Engine.Tests;

/// <summary>Output constraints in the engine: the mask decides every token, each sequence (n samples,
/// session forks) advances its own copy, and a constraint that allows nothing ends the sequence with
/// an error instead of a hang.</summary>
public sealed class ConstraintTests : IDisposable
{
    readonly Transformer _model = Transformer.Load(TestData.Model("tiny-llama-q8_0.gguf"), threads: 2);

    public void Dispose() => _model.Dispose();

    /// <summary>A fixed-length rule: <c>length</c> tokens from [lo, hi), then the end token.</summary>
    sealed class CountingConstraint(int lo, int hi, int length, int end) : ITokenConstraint
    {
        readonly List<int> _seen = [];
        public IReadOnlyList<int> Seen => _seen;
        public int Accepted => _seen.Count;
        public bool IsTerminated { get; private set; }

        bool Allowed(int t) => !IsTerminated && (_seen.Count < length ? t >= lo && t < hi : t == end);

        public void FillNextTokenMask(Span<uint> bitmask)
        {
            bitmask.Clear();
            for (int t = 0; t < bitmask.Length * 32; t++) if (Allowed(t)) TokenBitmask.Allow(bitmask, t);
        }

        public bool Accept(int token)
        {
            if (!Allowed(token)) return false;
            if (_seen.Count == length) IsTerminated = true;
            _seen.Add(token);
            return true;
        }

        public void Rollback(int tokens)
        {
            _seen.RemoveRange(_seen.Count - tokens, tokens);
            IsTerminated = false;
        }

        public ITokenConstraint Fork()
        {
            var c = new CountingConstraint(lo, hi, length, end);
            c._seen.AddRange(_seen);
            c.IsTerminated = IsTerminated;
            return c;
        }
    }

    InferenceEngine Engine()
    {
        var e = new InferenceEngine(_model, null, new EngineOptions { KvTokens = 4096 });
        e.AfterStep = pool => pool.CheckInvariants();
        return e;
    }

    [Theory]
    [InlineData(0f, 1)]
    [InlineData(0.9f, 6)]
    public async Task Every_token_obeys_the_mask_and_the_sequence_stops_where_the_rule_ends(float temperature, int n)
    {
        var rng = new Random(3);
        int lo = rng.Next(10, 300), hi = lo + rng.Next(2, 40), length = rng.Next(3, 12), end = 2;
        var rule = new CountingConstraint(lo, hi, length, end);
        using var engine = Engine();
        var r = await engine.GenerateAsync(new GenerationRequest
        {
            Prompt = [1, 15, 27, 99], MaxTokens = 64, N = n, Constraint = rule,
            Sampling = new SamplingParams { Temperature = temperature, Seed = 11 },
        });
        Assert.Null(r.Error);
        Assert.Equal(n, r.Sequences.Length);
        foreach (var s in r.Sequences)
        {
            Assert.Equal(FinishReason.Stop, s.Finish);
            Assert.Equal(length + 1, s.Tokens.Length);
            Assert.All(s.Tokens.Take(length), t => Assert.InRange(t, lo, hi - 1));
            Assert.Equal(end, s.Tokens[^1]);
        }
        Assert.Equal(0, rule.Accepted); // the request's own copy is never advanced
        if (n > 1) Assert.True(r.Sequences.Select(s => string.Join(",", s.Tokens)).Distinct().Count() > 1);
    }

    [Fact]
    public async Task A_constraint_that_allows_nothing_ends_the_sequence_with_an_error()
    {
        using var engine = Engine();
        var r = await engine.GenerateAsync(new GenerationRequest
        {
            Prompt = [1, 15, 27], MaxTokens = 8, Constraint = new CountingConstraint(5, 5, 3, 2),
        });
        Assert.Equal(FinishReason.Error, r.Sequences[0].Finish);
        Assert.Contains("mask", r.Error);
    }

    [Fact]
    public async Task Session_forks_carry_the_constraint_state_and_refused_appends_change_nothing()
    {
        using var engine = Engine();
        var rule = new CountingConstraint(40, 60, 6, 2);
        using var s = engine.StartSession([1, 15, 27], new SamplingParams { Temperature = 1f, Seed = 5 }, rule);
        var first = await s.ContinueAsync(2);
        Assert.All(first.Sequences[0].Tokens, t => Assert.InRange(t, 40, 59));
        using var f = await s.ForkAsync(seed: 99);
        await Assert.ThrowsAsync<ArgumentException>(() => f.ContinueAsync(1, append: [300]));
        var a = await s.ContinueAsync(10);
        var b = await f.ContinueAsync(10, append: [41]);
        // Both had 2 of 6 rule tokens; the fork appended one more, so it generates one fewer.
        Assert.Equal(5, a.Sequences[0].Tokens.Length);
        Assert.Equal(4, b.Sequences[0].Tokens.Length);
        Assert.Equal(2, a.Sequences[0].Tokens[^1]);
        Assert.Equal(2, b.Sequences[0].Tokens[^1]);
    }
}
