using Ponder.Reasoning.Strategies;
using Ponder.Reasoning.Verifiers;
using Ponder.Sampling;

namespace Ponder.Reasoning.Tests.Strategies;

public sealed class SearchStrategyTests
{
    static readonly StrategyOptions O = new() { Seed = 3 };

    [Fact]
    public async Task Best_of_n_by_min_and_by_last_step_score_pick_different_samples()
    {
        var scores = new Dictionary<string, double> { ["a"] = 0.9, ["b"] = 0.2, ["c"] = 0.6, ["answer: 1"] = 0.95, ["answer: 2"] = 0.7 };
        string s1 = "a\nb\nanswer: 1", s2 = "c\nc\nanswer: 2";
        foreach (var (how, expect) in new[] { (PrmAggregation.Min, "2"), (PrmAggregation.Last, "1"), (PrmAggregation.Product, "2") })
        {
            var g = new ScriptedGenerator();
            g.Samples.Enqueue((s1, -1)); g.Samples.Enqueue((s2, -1));
            var v = new ScriptedVerifier(scores);
            var r = await new BestOfN(O with { PrmAggregation = how }, v).RunAsync(g, Problems.Arith(), Problems.B(2));
            Assert.Equal(expect, r.Answer);
            Assert.Equal([2, 2, 2], v.Calls); // depth by depth, so each depth reuses the previous one's KV
            Assert.Equal([0.9, 0.2, 0.95], r.Candidates[0].StepScores!);
        }
    }

    [Fact]
    public async Task Verifier_weighted_best_of_n_sums_scores_per_answer()
    {
        var scores = new Dictionary<string, double> { ["answer: 1"] = 0.9, ["answer: 2"] = 0.5 };
        var g = new ScriptedGenerator();
        g.Samples.Enqueue(("answer: 1", -1)); g.Samples.Enqueue(("answer: 2", -1)); g.Samples.Enqueue(("answer: 2", -1));
        var s = StrategyRegistry.Create("weighted-best-of-n", O, new ScriptedVerifier(scores));
        var r = await s.RunAsync(g, Problems.Arith(), Problems.B(3));
        Assert.Equal("2", r.Answer); // 0.5 + 0.5 > 0.9
        Assert.Equal("weighted-best-of-n", r.Strategy);
    }

    /// <summary>Tree: root → r0..r3 (first steps); rX → rX.0, rX.1; rX.j → "answer: X*10+j".</summary>
    static ScriptedGenerator Tree()
    {
        var g = new ScriptedGenerator();
        g.NextStep = (steps, k) => steps.Count switch
        {
            0 => $"r{k}",
            1 => $"{steps[0]}.{k % 2}",
            _ => $"answer: {int.Parse(steps[0][1..]) * 10 + int.Parse(steps[1][^1..])}",
        };
        return g;
    }

    [Fact]
    public async Task Beam_keeps_the_n_over_m_best_and_expands_each_m_times()
    {
        var g = Tree();
        var scores = new Dictionary<string, double>
        {
            ["r0"] = 0.1, ["r1"] = 0.9, ["r2"] = 0.5, ["r3"] = 0.7,
            ["r1.0"] = 0.2, ["r1.1"] = 0.3, ["r3.0"] = 0.8, ["r3.1"] = 0.6,
            ["answer: 30"] = 0.9, ["answer: 31"] = 0.4,
        };
        var r = await new BeamSearch(O with { Expansions = 2 }, new ScriptedVerifier(scores)).RunAsync(g, Problems.Arith(), Problems.B(4));
        // Round 0: 4 first steps, r1 and r3 survive (indices 1, 3). Round 1: r1.0 r1.1 r3.0 r3.1; r3.0 and r3.1 survive (2, 3).
        // Round 2: four answers finish; the best by last score is "answer: 30".
        Assert.Equal("1,3;2,3;", r.Notes["survivors"]);
        Assert.Equal([4, 4, 4], g.ExtendCalls);
        Assert.Equal("30", r.Answer);
        Assert.Equal(0, g.LivePartials);
    }

    [Fact]
    public async Task Dvts_runs_independent_subtrees_each_greedy_in_the_prm()
    {
        var g = Tree();
        var scores = new Dictionary<string, double>
        {
            ["r0"] = 0.1, ["r1"] = 0.9, ["r2"] = 0.5, ["r3"] = 0.7,
            ["r1.0"] = 0.2, ["r1.1"] = 0.3, ["r3.0"] = 0.8, ["r3.1"] = 0.6, ["answer: 11"] = 0.95, ["answer: 10"] = 0.1,
        };
        var r = await new Dvts(O with { Expansions = 2 }, new ScriptedVerifier(scores)).RunAsync(g, Problems.Arith(), Problems.B(4));
        // Subtree 0 gets r0, r1 → keeps r1 → r1.0, r1.1 → keeps r1.1 → answer 11 (and 11 again). Subtree 1: r2, r3 → r3 → r3.0 → answer 30.
        Assert.Equal(["11", "30"], r.Candidates.Select(c => c.Answer));
        Assert.Equal("11", r.Answer); // 0.95 beats the default 0.5 of "answer: 30"
        Assert.Equal(0, g.LivePartials);
    }

    [Fact]
    public async Task Particle_filter_resamples_everyone_onto_the_dominant_particle()
    {
        var g = Tree();
        var scores = new Dictionary<string, double> { ["r0"] = 0.1, ["r1"] = 0.2, ["r2"] = 0.99, ["r3"] = 0.3, ["r2.0"] = 0.6, ["r2.1"] = 0.95 };
        var r = await new ParticleFilter(O with { ResampleTemperature = 0.01 }, new ScriptedVerifier(scores)).RunAsync(g, Problems.Arith(), Problems.B(4));
        // Round 1: r2 dominates (softmax at T = 0.01) so all four particles are copies of particle 2.
        // Round 2: r2.0 and r2.1 alternate among the copies; r2.1's are resampled; then all finish with "answer: 21".
        var rounds = r.Notes["resampled"].Split(';');
        Assert.Equal("2,2,2,2", rounds[0]);
        Assert.Equal("1,1,1,1", rounds[1].Replace('3', '1'));
        Assert.Equal("21", r.Answer);
        Assert.Equal(0, g.LivePartials);
    }

    [Fact]
    public void Resampling_follows_the_weights_and_the_seed()
    {
        var rng = new Xoshiro256StarStar(1);
        Assert.Equal([2, 2, 2], ParticleFilter.Resample([0, 0, 1], 3, ref rng));
        var w = ParticleFilter.Weights([0.2, 0.8], 1e-3);
        Assert.Equal(1.0, w[1], 9);
        var a = new Xoshiro256StarStar(5); var b = new Xoshiro256StarStar(5);
        Assert.Equal(ParticleFilter.Resample([0.25, 0.25, 0.5], 8, ref a), ParticleFilter.Resample([0.25, 0.25, 0.5], 8, ref b));
        var u = ParticleFilter.Weights([0.0, 1.0], 1.0);
        Assert.Equal(1 / (1 + Math.E), u[0], 12);
    }

    [Fact]
    public async Task Auto_probes_agreement_and_runs_the_strategy_of_its_bin()
    {
        var policy = new AutoPolicy
        {
            ProbeSamples = 4,
            Bins = [new AutoBin { Bin = 3, ByBudget = new() { ["1"] = "greedy", ["8"] = "self-consistency" } },
                    new AutoBin { Bin = 0, ByBudget = new() { ["1"] = "sample" } }],
        };
        var g = new ScriptedGenerator();
        for (int i = 0; i < 4; i++) g.Samples.Enqueue(("answer: 20", -1)); // probe: all agree → bin 3
        for (int i = 0; i < 8; i++) g.Samples.Enqueue(("answer: 20", -1));
        var s = StrategyRegistry.Create("auto", O, policy: policy);
        var r = await s.RunAsync(g, Problems.Arith(), Problems.B(8));
        Assert.Equal("self-consistency", r.Notes["chosen"]);
        Assert.Equal("3", r.Notes["bin"]);
        Assert.Equal([4, 8], g.SampleCalls);
        Assert.Equal("auto", r.Strategy);

        var g2 = new ScriptedGenerator();
        foreach (var a in new[] { 1, 2, 3, 4, 5 }) g2.Samples.Enqueue(($"answer: {a}", -1)); // 1/4 agree → bin 0
        var r2 = await s.RunAsync(g2, Problems.Arith(), Problems.B(8));
        Assert.Equal("sample", r2.Notes["chosen"]);
        Assert.Equal(1, AutoPolicy.BinOf(0.5));
        Assert.Equal(2, AutoPolicy.BinOf(0.75));
    }

    [Fact]
    public async Task Search_strategies_without_a_verifier_say_what_to_pass()
    {
        foreach (var name in new[] { "beam", "dvts", "particle-filter", "best-of-n" })
        {
            var e = await Assert.ThrowsAsync<ArgumentException>(() => StrategyRegistry.Create(name, O).RunAsync(new ScriptedGenerator(), Problems.Arith(), Problems.B(4)));
            Assert.Contains("--prm", e.Message);
        }
    }
}
