using Ponder.Reasoning.Tasks.Arith;
using Ponder.Sampling;
using Ponder.Train;

namespace Ponder.Train.Tests;

/// <summary>The unreliable solver behind the shipped policy's data: careful steps are right whatever their
/// spacing, slips raise exactly the leading digit, and later steps go on correctly from the written value.</summary>
public class NoisySolverTests
{
    [Theory]
    [InlineData(462, 562)]
    [InlineData(-312, -412)]
    [InlineData(999, 1099)] // 9 + 1 carries into a new digit
    [InlineData(100, 200)]
    public void A_slip_raises_the_leading_digit_only(long c, long slipped) => Assert.Equal(slipped, NoisySolver.Slip(c));

    [Fact]
    public void Careful_solutions_are_right_and_hurried_ones_slip_every_hard_step()
    {
        var problems = new ArithGenerator(5).Take(300).ToList();
        int hard = 0;
        for (int i = 0; i < problems.Count; i++)
        {
            var p = problems[i];
            var rng = new Xoshiro256StarStar((ulong)i + 1);
            var careful = NoisySolver.Solve(p, hurry: 0, slip: 1, ref rng);
            Assert.True(ArithChecker.IsCorrect(p, careful), careful);
            Assert.True(ArithChecker.Check(p, careful).FirstWrongStep < 0, careful);

            var hurried = NoisySolver.Solve(p, hurry: 1, slip: 1, ref rng);
            var v = ArithChecker.Check(p, hurried);
            // The first hard step (if any) is the first wrong one; every line still parses as a step.
            int firstHard = -1;
            long a = p.First;
            for (int s = 0; s < p.Steps && firstHard < 0; s++)
            {
                if (NoisySolver.IsHard(a, p.Ops[s], p.Operands[s])) firstHard = s;
                a = ArithProblem.Apply(a, p.Ops[s], p.Operands[s]);
            }
            Assert.Equal(firstHard, v.FirstWrongStep);
            if (firstHard >= 0) hard++;
            foreach (var line in ArithSolution.Split(hurried).Steps) Assert.True(ArithSolution.TryParseStep(line, out _, out _, out _, out _), line);
        }
        Assert.InRange(hard, 30, 270); // the draw has both kinds of problem
    }
}
