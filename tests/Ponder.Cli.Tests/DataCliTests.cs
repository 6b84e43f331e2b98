using Ponder.Reasoning.Tasks.Arith;

namespace Ponder.Cli.Tests;

public class DataCliTests
{
    static void AssertOneLineError((int Code, string Err) r, string contains)
    {
        Assert.Equal(2, r.Code);
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(contains, lines[0]);
    }

    [Fact]
    public void Data_arith_writes_reproducible_problems()
    {
        using var d = new TempDir();
        Assert.Equal(0, Ponder.Run("data", "arith", "--count", "50", "--seed", "9", "-o", d.File("a.jsonl")).Code);
        Assert.Equal(0, Ponder.Run("data", "arith", "--count", "50", "--seed", "9", "-o", d.File("b.jsonl")).Code);
        Assert.Equal(File.ReadAllText(d.File("a.jsonl")), File.ReadAllText(d.File("b.jsonl")));
        var ps = ArithJsonl.Read(d.File("a.jsonl"));
        Assert.Equal(50, ps.Count);
        Assert.All(ps, p => Assert.InRange(p.Steps, 2, 8));
    }

    [Fact]
    public void Data_arith_honours_the_step_range()
    {
        using var d = new TempDir();
        Assert.Equal(0, Ponder.Run("data", "arith", "--count", "20", "--seed", "1", "--min-steps", "12", "--max-steps", "20", "-o", d.File("a.jsonl")).Code);
        Assert.All(ArithJsonl.Read(d.File("a.jsonl")), p => Assert.InRange(p.Steps, 12, 20));
    }

    [Theory]
    [InlineData("--count", "0", "--count")]
    [InlineData("--count", "-3", "--count")]
    [InlineData("--min-steps", "0", "steps")]
    [InlineData("--max-steps", "21", "steps")]
    public void Bad_options_exit_2_with_one_line(string opt, string value, string contains)
    {
        using var d = new TempDir();
        var args = new List<string> { "data", "arith", "--count", "5", "-o", d.File("x.jsonl") };
        int i = args.IndexOf(opt);
        if (i >= 0) args[i + 1] = value; else { args.Add(opt); args.Add(value); }
        AssertOneLineError(Ponder.Run([.. args]), contains);
    }

    [Fact]
    public void Unwritable_path_exits_2_with_one_line()
    {
        using var d = new TempDir();
        AssertOneLineError(Ponder.Run("data", "arith", "--count", "5", "-o", d.File("no/such/dir/x.jsonl")), "x.jsonl");
    }
}
