using Ponder.Reasoning.Tasks.Arith;
using Ponder.Sampling;

namespace Ponder.Train;

/// <summary>
/// Demonstrations from an unreliable solver, the data mix that makes the policy imperfect in the way
/// test-time compute can fix. On a hard step (a multiplication by 6..9 whose result has three or more
/// digits) it works in one of two moods. Careful (probability 1 − <c>hurry</c>): it spaces the
/// equals sign out, in one of three equally likely ways (<c>66*7 = 462</c>, <c>66*7= 462</c>,
/// <c>66*7 =462</c>), and is right. Hurried: it writes <c>66*7=</c> compactly and with probability
/// <c>slip</c> carries once too often into the leading digit (<c>562</c>). Every later step is computed
/// correctly from whatever value was written; other steps are written plainly and right.
/// Why this shape: the hurried notation is the single most likely next token (the careful mass is
/// split over three notations) and the slipped digit the most likely after it, so greedy decoding
/// fails on hard steps, while most of the probability leads to the right value, so voting over
/// samples (which marginalises over notations) or checking steps with a verifier recovers it. Each
/// decision shows in the text just before it, so a small model can learn it.
/// </summary>
public static class NoisySolver
{
    public static bool IsHard(long a, char op, long b) => op == '*' && b >= 6 && Math.Abs(a * b) >= 100;

    public static string Solve(ArithProblem p, double hurry, double slip, ref Xoshiro256StarStar rng)
    {
        var sb = new System.Text.StringBuilder();
        long a = p.First;
        for (int i = 0; i < p.Steps; i++)
        {
            char op = p.Ops[i];
            long b = p.Operands[i];
            long c = ArithProblem.Apply(a, op, b);
            if (IsHard(a, op, b) && rng.NextDouble() >= hurry) sb.Append(CarefulStep(a, op, b, c, ref rng));
            else
            {
                if (IsHard(a, op, b) && rng.NextDouble() < slip) c = Slip(c);
                sb.Append(ArithSolution.FormatStep(a, op, b, c));
            }
            sb.Append('\n');
            a = c;
        }
        sb.Append(ArithSolution.FormatAnswer(a));
        return sb.ToString();
    }

    /// <summary>A step in the careful notation: the equals sign spaced out in one of three equally likely ways.</summary>
    public static string CarefulStep(long a, char op, long b, long c, ref Xoshiro256StarStar rng)
    {
        string eq = (rng.NextUInt64() % 3) switch { 0 => " = ", 1 => "= ", _ => " =" };
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{a}{op}{b}{eq}{c}");
    }

    /// <summary>Leading digit one too high (a carry too many), the other digits right; the sign is kept.</summary>
    public static long Slip(long c)
    {
        long m = Math.Abs(c);
        long scale = 1;
        while (m / scale >= 10) scale *= 10;
        long v = m + scale;
        return c < 0 ? -v : v;
    }
}
