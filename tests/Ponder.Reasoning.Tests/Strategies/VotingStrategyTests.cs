using Ponder.Reasoning.Strategies;

namespace Ponder.Reasoning.Tests.Strategies;

public sealed class VotingStrategyTests
{
    static readonly StrategyOptions O = new() { Seed = 7 };

    [Fact]
    public async Task Greedy_asks_for_one_temperature_zero_sample_and_reads_its_answer()
    {
        var g = new ScriptedGenerator();
        g.Samples.Enqueue(("2+3=5\n5*4=20\nanswer: 20", -0.1));
        var r = await new Greedy().RunAsync(g, Problems.Arith(), Problems.B(16));
        Assert.Equal([1], g.SampleCalls);
        Assert.Equal(0f, g.SampleSettings[0].Temperature);
        Assert.Equal("20", r.Answer);
        Assert.True(Problems.Arith().IsCorrect(r.Answer));
    }

    [Fact]
    public async Task Self_consistency_takes_the_majority_and_breaks_ties_by_mean_logprob()
    {
        var g = new ScriptedGenerator();
        foreach (var (t, lp) in new[] { ("answer: 5", -1.0), ("answer: 7", -0.2), ("answer: 5", -0.9), ("answer: 7", -0.3), ("junk", -0.01) })
            g.Samples.Enqueue((t, lp));
        var r = await new SelfConsistency(O).RunAsync(g, Problems.Arith(), Problems.B(5));
        Assert.Equal([5], g.SampleCalls);
        Assert.Equal("7", r.Answer); // 2 votes each; 7's samples are more confident
        Assert.Equal([2.0, 2, 2, 2, 0], r.Candidates.Select(c => c.Votes));

        g.Samples.Enqueue(("answer: 5", -1.0)); g.Samples.Enqueue(("answer: 7", -0.2)); g.Samples.Enqueue(("answer: 5", -0.9));
        var r2 = await new SelfConsistency(O).RunAsync(g, Problems.Arith(), Problems.B(3));
        Assert.Equal("5", r2.Answer);
    }

    [Fact]
    public async Task Confidence_weighting_lets_one_sure_sample_outvote_two_unsure_ones()
    {
        var g = new ScriptedGenerator();
        g.Samples.Enqueue(("answer: 5", -3.0)); g.Samples.Enqueue(("answer: 5", -3.0)); g.Samples.Enqueue(("answer: 7", -0.05));
        var s = StrategyRegistry.Create("confidence-consistency", O);
        var r = await s.RunAsync(g, Problems.Arith(), Problems.B(3));
        Assert.Equal("7", r.Answer); // exp(-0.05) = 0.95 > 2·exp(-3) = 0.10
        Assert.Equal("confidence-consistency", s.Name);
    }

    [Fact]
    public async Task Sample_reports_the_first_answer_and_oracle_coverage()
    {
        var g = new ScriptedGenerator();
        g.Samples.Enqueue(("answer: 1", -1)); g.Samples.Enqueue(("answer: 20", -1)); g.Samples.Enqueue(("answer: 3", -1));
        var p = Problems.Arith();
        var r = await new RepeatedSampling(O).RunAsync(g, p, Problems.B(3));
        Assert.Equal("1", r.Answer);
        Assert.True(r.Covered(p));
        Assert.Equal("1", r.Notes["correct_samples"]);
    }

    [Fact]
    public async Task Adaptive_consistency_stops_after_one_round_when_four_of_four_agree()
    {
        var g = new ScriptedGenerator();
        for (int i = 0; i < 4; i++) g.Samples.Enqueue(("answer: 20", -1));
        var r = await new AdaptiveConsistency(O with { RoundSize = 4 }).RunAsync(g, Problems.Arith(), Problems.B(16));
        Assert.Equal([4], g.SampleCalls); // Beta rule: P(p1 > p2 | 4, 0) = 31/32 ≥ 0.95
        Assert.Equal("beta", r.Notes["stop"]);
        Assert.Equal("20", r.Answer);
    }

    [Fact]
    public async Task Adaptive_consistency_keeps_sampling_while_split_and_stops_on_the_margin_rule()
    {
        var g = new ScriptedGenerator();
        foreach (var a in new[] { 5, 7, 5, 7, 5, 5, 5, 5 }) g.Samples.Enqueue(($"answer: {a}", -1));
        var r = await new AdaptiveConsistency(O with { RoundSize = 4, StopRule = StopRule.Margin }).RunAsync(g, Problems.Arith(), Problems.B(12));
        // After 4: 2 vs 2 with 8 left. After 8: 6 vs 2 with 4 left: 6 > 2 + 4 is false... so a third round would be
        // needed; after 8 the margin rule fires only if v1 > v2 + remaining.
        Assert.Equal([4, 4, 4], g.SampleCalls);
        Assert.Equal("budget", r.Notes["stop"]);

        var g2 = new ScriptedGenerator();
        foreach (var a in new[] { 5, 7, 5, 5, 5, 5, 5, 5 }) g2.Samples.Enqueue(($"answer: {a}", -1));
        var r2 = await new AdaptiveConsistency(O with { RoundSize = 4, StopRule = StopRule.Margin }).RunAsync(g2, Problems.Arith(), Problems.B(12));
        Assert.Equal([4, 4], g2.SampleCalls); // after 8: 7 vs 1, 4 left: 7 > 5, cannot be overtaken
        Assert.Equal("margin", r2.Notes["stop"]);
        Assert.Equal("5", r2.Answer);
    }

    [Fact]
    public void Beta_rule_probabilities_are_exact_binomial_tails()
    {
        Assert.Equal(31.0 / 32, AdaptiveConsistency.ProbLeaderAhead(4, 0), 12);
        Assert.Equal(15.0 / 16, AdaptiveConsistency.ProbLeaderAhead(3, 0), 12);
        Assert.Equal(0.5, AdaptiveConsistency.ProbLeaderAhead(2, 2), 12);
        // P(X > 1/2), X ~ Beta(6, 2): 1 - I_{1/2}(6, 2) = 1 - (C(7,6) + C(7,7))/128 = 120/128
        Assert.Equal(120.0 / 128, AdaptiveConsistency.ProbLeaderAhead(5, 1), 12);
    }

    [Fact]
    public async Task First_finish_asks_the_engine_to_stop_at_the_first_and_picks_the_shortest_finished()
    {
        var g = new ScriptedGenerator();
        g.Samples.Enqueue(("... cut", -1)); g.Samples.Enqueue(("1+1=2\nanswer: 2", -1)); g.Samples.Enqueue(("answer: 9", -1));
        var r = await new FirstFinish(O).RunAsync(g, Problems.Arith(), Problems.B(3));
        Assert.True(g.SampleSettings[0].StopAtFirstFinish);
        Assert.Equal("9", r.Answer);
        Assert.Equal([false, false, true], r.Candidates.Select(c => c.Chosen));
    }

    [Fact]
    public void Votes_ignore_missing_answers()
    {
        var (a, totals) = Voting.Vote([new(null, 1, 0), new(null, 1, 0), new("3", 1, -2)]);
        Assert.Equal("3", a);
        Assert.Single(totals);
    }
}
