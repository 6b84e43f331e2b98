using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Ponder.Reasoning.Tasks.Arith;

namespace Ponder.Reasoning.Tests.Tasks.Arith;

public class ArithCheckerTests
{
    static readonly ArithProblem P = ArithProblem.Parse("37+48-19*3");

    [Theory]
    [InlineData("answer: 198", 198L)]
    [InlineData("x\nanswer: -12\n", -12L)]
    [InlineData("answer: 5\nanswer:7", 7L)]
    [InlineData("answer:   42 ", 42L)]
    public void Answer_is_the_last_answer_line(string text, long expected) => Assert.Equal(expected, ArithChecker.ExtractAnswer(text));

    [Theory]
    [InlineData("")]
    [InlineData("198")]
    [InlineData("Answer 198")]
    public void No_answer_line_means_no_answer(string text) => Assert.Null(ArithChecker.ExtractAnswer(text));

    [Fact]
    public void Reference_solution_is_right_everywhere()
    {
        var v = ArithChecker.Check(P, P.Solution());
        Assert.True(v.Correct);
        Assert.True(v.AllStepsCorrect);
        Assert.Equal([true, true, true], v.StepCorrect);
        Assert.Equal(-1, v.FirstWrongStep);
    }

    [Fact]
    public void A_wrong_step_makes_it_and_every_later_step_wrong()
    {
        // Step 2 is wrong (85-19=67); step 3 is right arithmetic on the wrong value, still wrong.
        var v = ArithChecker.Check(P, "37+48=85\n85-19=67\n67*3=201\nanswer: 201");
        Assert.Equal([true, false, false], v.StepCorrect);
        Assert.False(v.Correct);
        Assert.Equal(1, v.FirstWrongStep);
    }

    [Theory]
    [InlineData("37+48=85\n85+19=104\n104*3=312\nanswer: 312", 1)]    // wrong operator
    [InlineData("37+48=85\n85-18=67\n67*3=201\nanswer: 201", 1)]      // wrong operand
    [InlineData("37+48=85\n86-19=67\n67*3=201\nanswer: 201", 1)]      // did not carry the previous result
    [InlineData("37+48=85\nhmm\n66*3=198\nanswer: 198", 1)]           // not a step
    [InlineData("38+48=86\n86-19=67\n67*3=201\nanswer: 201", 0)]      // first operand not the question's
    public void Each_kind_of_mistake_is_caught_at_its_step(string solution, int firstWrong) =>
        Assert.Equal(firstWrong, ArithChecker.Check(P, solution).FirstWrongStep);

    [Fact]
    public void Extra_steps_are_wrong_and_a_right_answer_still_counts()
    {
        var v = ArithChecker.Check(P, "37+48=85\n85-19=66\n66*3=198\n198+0=198\nanswer: 198");
        Assert.Equal([true, true, true, false], v.StepCorrect);
        Assert.False(v.AllStepsCorrect);
        Assert.True(v.Correct);
    }

    [Fact]
    public void Spaces_around_step_parts_are_tolerated()
    {
        var v = ArithChecker.Check(P, "37 + 48 = 85\n85-19 =66\n66*3=198\nanswer: 198");
        Assert.True(v.AllStepsCorrect);
    }

    [Property(MaxTest = 300)]
    public Property Corrupting_one_result_flags_exactly_the_suffix(ulong seed, PositiveInt where, NonZeroInt delta)
    {
        var p = new ArithGenerator(seed).Next();
        var (steps, answer) = ArithSolution.Split(p.Solution());
        int j = (where.Get - 1) % steps.Count;
        ArithSolution.TryParseStep(steps[j], out long a, out char op, out long b, out long c);
        steps[j] = ArithSolution.FormatStep(a, op, b, c + delta.Get);
        var v = ArithChecker.Check(p, string.Join('\n', steps) + "\n" + answer);
        bool ok = true;
        for (int i = 0; i < steps.Count; i++) ok &= v.StepCorrect[i] == (i < j);
        return (ok && v.FirstWrongStep == j).Label($"{p.Question} corrupted at {j}");
    }

    [Property(MaxTest = 200)]
    public bool Reference_solutions_always_check(ulong seed)
    {
        foreach (var p in new ArithGenerator(seed, 1, 20).Take(10))
        {
            var v = ArithChecker.Check(p, p.Solution());
            if (!v.Correct || !v.AllStepsCorrect || v.StepLines.Count != p.Steps) return false;
        }
        return true;
    }
}
