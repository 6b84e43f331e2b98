using Ponder.Sampling;

namespace Ponder.Core.Tests.Sampling;

/// <summary>
/// Frequencies of many seeded draws against the intended distribution. With N = 100 000 draws a
/// frequency's standard deviation is at most sqrt(0.25 / N) = 0.0016, so the 0.008 tolerance is
/// 5 sigma: a correct sampler passes for essentially every seed, and the seed is fixed anyway, so
/// the test is deterministic. A wrong temperature or an off-by-one in the cumulative walk moves a
/// frequency by far more.
/// </summary>
public class SamplerStatisticsTests
{
    const int Draws = 100_000;
    const double Tolerance = 0.008;

    static double[] Frequencies(SamplingParams p, float[] logits, int draws = Draws)
    {
        var s = new Sampler(p with { Seed = 20240601 }, logits.Length);
        var counts = new int[logits.Length];
        var row = new float[logits.Length];
        for (var i = 0; i < draws; i++)
        {
            logits.CopyTo(row);
            counts[s.Sample(row).Id]++;
        }
        var f = new double[counts.Length];
        for (var i = 0; i < f.Length; i++) f[i] = counts[i] / (double)draws;
        return f;
    }

    static double[] Softmax(float[] logits, double temperature, int keep)
    {
        var p = new double[logits.Length];
        double z = 0;
        for (var i = 0; i < keep; i++) z += p[i] = Math.Exp(logits[i] / temperature);
        for (var i = 0; i < keep; i++) p[i] /= z;
        return p;
    }

    static void AssertClose(double[] expected, double[] actual)
    {
        for (var i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance,
                $"token {i}: expected {expected[i]:F4}, sampled {actual[i]:F4} (tolerance {Tolerance})");
    }

    // Sorted best first, so "keep the first k" is the truncated distribution.
    static readonly float[] Logits = [1.2f, 0.9f, 0.4f, 0.1f, -0.5f, -1.5f];

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(2.0)]
    public void Untruncated_draws_follow_the_softmax(double temperature) =>
        AssertClose(Softmax(Logits, temperature, 6), Frequencies(new SamplingParams { Temperature = (float)temperature }, Logits));

    [Fact]
    public void Untruncated_draws_follow_the_softmax_across_walk_blocks()
    {
        // 2100 tokens: the block-skipping walk (1024-token blocks) crosses two block boundaries and
        // mass sits in all three blocks. Each draw costs a full-row pass, so 25 000 draws here:
        // sigma <= sqrt(0.25 / 25000) = 0.0032, and 0.016 is again 5 sigma.
        const double tolerance = 0.016;
        var logits = new float[2100];
        Array.Fill(logits, -30f);
        logits[5] = 1f; logits[1500] = 0.5f; logits[2099] = 0f;
        var f = Frequencies(new SamplingParams(), logits, draws: 25_000);
        var z = Math.Exp(1) + Math.Exp(0.5) + 1;
        Assert.Equal(Math.Exp(1) / z, f[5], tolerance);
        Assert.Equal(Math.Exp(0.5) / z, f[1500], tolerance);
        Assert.Equal(1 / z, f[2099], tolerance);
    }

    [Fact]
    public void Top_k_draws_follow_the_renormalised_softmax_at_the_temperature() =>
        AssertClose(Softmax(Logits, 0.8, 3), Frequencies(new SamplingParams { TopK = 3, Temperature = 0.8f }, Logits));

    [Fact]
    public void Top_p_and_min_p_draws_follow_the_renormalised_softmax()
    {
        // softmax(Logits) = .366 .271 .165 .122 .067 .022: p = 0.7 keeps three; min-p 0.3 keeps p >= .110 (four).
        AssertClose(Softmax(Logits, 1.5, 3), Frequencies(new SamplingParams { TopP = 0.7f, Temperature = 1.5f }, Logits));
        AssertClose(Softmax(Logits, 1.0, 4), Frequencies(new SamplingParams { MinP = 0.3f }, Logits));
    }
}
