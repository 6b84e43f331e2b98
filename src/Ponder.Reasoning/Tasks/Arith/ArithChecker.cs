using System.Globalization;

namespace Ponder.Reasoning.Tasks.Arith;

/// <summary>What the checker says about one solution.</summary>
/// <param name="Extracted">The final answer found by the answer regex, or null.</param>
/// <param name="Correct">The extracted answer equals the problem's answer exactly.</param>
/// <param name="StepLines">The step lines in order (see <see cref="ArithSolution.Split"/>).</param>
/// <param name="StepCorrect">Per step line: true while every step so far is right.</param>
/// <param name="AllStepsCorrect">Exactly k steps, all right.</param>
public sealed record ArithVerdict(long? Extracted, bool Correct, IReadOnlyList<string> StepLines, IReadOnlyList<bool> StepCorrect,
    bool AllStepsCorrect)
{
    /// <summary>Index of the first wrong step, or -1 when every step line is right.</summary>
    public int FirstWrongStep
    {
        get
        {
            for (int i = 0; i < StepCorrect.Count; i++) if (!StepCorrect[i]) return i;
            return -1;
        }
    }
}

/// <summary>
/// The exact checker of the arith task. Answer: the last <c>answer: n</c> in the text, compared
/// exactly with the left-to-right value. Steps: step i is right when it parses as
/// <c>a&lt;op&gt;b=c</c>, <c>a</c> is the previous step's result (the question's first number for
/// step 1), <c>op</c> and <c>b</c> are the question's i-th operator and operand, and
/// <c>a op b = c</c>; a step past the question's k steps is wrong; and every step from the first
/// wrong one on is wrong (a process reward model learns "the solution is still on track").
/// </summary>
public static class ArithChecker
{
    public static long? ExtractAnswer(string solution)
    {
        ArgumentNullException.ThrowIfNull(solution);
        var ms = ArithSolution.AnswerRegex().Matches(solution);
        if (ms.Count == 0) return null;
        return long.TryParse(ms[^1].Groups[1].ValueSpan, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : null;
    }

    public static bool IsCorrect(ArithProblem p, string solution) => ExtractAnswer(solution) == p.Answer;

    /// <summary>Per-step verdicts of the given step lines.</summary>
    public static bool[] StepVerdicts(ArithProblem p, IReadOnlyList<string> stepLines)
    {
        var r = new bool[stepLines.Count];
        long prev = p.First;
        for (int i = 0; i < stepLines.Count; i++)
        {
            if (i >= p.Steps) break; // extra steps are wrong
            if (!ArithSolution.TryParseStep(stepLines[i], out long a, out char op, out long b, out long c)) break;
            if (a != prev || op != p.Ops[i] || b != p.Operands[i] || ArithProblem.Apply(a, op, b) != c) break;
            r[i] = true;
            prev = c;
        }
        return r;
    }

    public static ArithVerdict Check(ArithProblem p, string solution)
    {
        var (steps, _) = ArithSolution.Split(solution);
        var verdicts = StepVerdicts(p, steps);
        long? x = ExtractAnswer(solution);
        bool all = steps.Count == p.Steps && Array.TrueForAll(verdicts, v => v);
        return new ArithVerdict(x, x == p.Answer, steps, verdicts, all);
    }
}
