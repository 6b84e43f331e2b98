using FsCheck.Xunit;
using Ponder.Reasoning.Tasks.Arith;

namespace Ponder.Reasoning.Tests.Tasks.Arith;

public class ArithGeneratorTests
{
    [Fact]
    public void Spec_example_is_evaluated_left_to_right()
    {
        var p = ArithProblem.Parse("37+48-19*3");
        Assert.Equal(198, p.Answer);
        Assert.Equal(3, p.Steps);
        Assert.Equal([85L, 66L, 198L], p.Intermediates());
        Assert.Equal("37+48=85\n85-19=66\n66*3=198\nanswer: 198", p.Solution());
    }

    [Fact]
    public void Negative_intermediates_are_allowed_and_formatted_with_a_sign()
    {
        var p = ArithProblem.Parse("3-50*2+7");
        Assert.Equal(-87, p.Answer);
        Assert.Equal("3-50=-47\n-47*2=-94\n-94+7=-87\nanswer: -87", p.Solution());
    }

    [Property(MaxTest = 200)]
    public bool Every_problem_follows_the_spec(ulong seed)
    {
        var g = new ArithGenerator(seed);
        foreach (var p in g.Take(20))
        {
            if (p.Steps is < 2 or > 8 || p.First is < 0 or > 99) return false;
            for (int i = 0; i < p.Steps; i++)
            {
                int b = p.Operands[i];
                if (p.Ops[i] == '*' ? b is < 2 or > 9 : b is < 0 or > 99) return false;
            }
            foreach (var v in p.Intermediates()) if (Math.Abs(v) > ArithGenerator.MaxAbsIntermediate) return false;
            if (ArithProblem.Parse(p.Question) != p && ArithProblem.Parse(p.Question).Question != p.Question) return false;
            if (ArithProblem.Parse(p.Question).Answer != p.Answer) return false;
        }
        return true;
    }

    [Property(MaxTest = 50)]
    public bool Same_seed_gives_same_problems(ulong seed)
    {
        var a = new ArithGenerator(seed).Take(30).Select(p => p.Question);
        var b = new ArithGenerator(seed).Take(30).Select(p => p.Question);
        return a.SequenceEqual(b);
    }

    [Fact]
    public void Seed_zero_is_pinned()
    {
        // Other parts of the project (and outside checks) regenerate data sets from seeds: the draw order is part of the spec.
        var qs = new ArithGenerator(0).Take(3).Select(p => p.Question).ToArray();
        Assert.Equal(qs, new ArithGenerator(0).Take(3).Select(p => p.Question).ToArray());
        Assert.All(qs, q => Assert.Matches(@"^\d+([+\-*]\d+){2,8}$", q));
    }

    [Fact]
    public void Step_counts_cover_the_range_uniformly()
    {
        var counts = new int[9];
        foreach (var p in new ArithGenerator(7).Take(7000)) counts[p.Steps]++;
        for (int k = 2; k <= 8; k++) Assert.InRange(counts[k], 850, 1150);
    }

    [Theory]
    [InlineData(0, 8)]
    [InlineData(2, 21)]
    [InlineData(5, 4)]
    public void Bad_step_ranges_are_refused(int min, int max) =>
        Assert.Throws<ArgumentException>(() => new ArithGenerator(1, min, max));

    [Theory]
    [InlineData("")]
    [InlineData("12")]
    [InlineData("12+")]
    [InlineData("12/3")]
    [InlineData("1 + 2")]
    public void Malformed_questions_are_refused(string q) => Assert.Throws<FormatException>(() => ArithProblem.Parse(q));

    [Fact]
    public void Jsonl_round_trips_and_rejects_a_wrong_answer()
    {
        var p = ArithProblem.Parse("37+48-19*3");
        Assert.Equal("""{"question": "37+48-19*3", "answer": "198", "steps": 3}""", ArithJsonl.ToLine(p));
        Assert.Equal(p.Question, ArithJsonl.FromLine(ArithJsonl.ToLine(p)).Question);
        var e = Assert.Throws<FormatException>(() => ArithJsonl.FromLine("""{"question":"1+2","answer":"4","steps":1}""", 3));
        Assert.StartsWith("line 3: ", e.Message);
        Assert.Throws<FormatException>(() => ArithJsonl.FromLine("not json"));
    }
}
