using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Ponder.Reasoning.Tasks.Arith;

/// <summary>
/// The solution layout: one step per line, <c>a&lt;op&gt;b=c</c>, each step taking the previous
/// result as <c>a</c>, then a final line <c>answer: &lt;n&gt;</c>. Example for <c>37+48-19*3</c>:
/// <code>
/// 37+48=85
/// 85-19=66
/// 66*3=198
/// answer: 198
/// </code>
/// </summary>
public static partial class ArithSolution
{
    public const string AnswerPrefix = "answer:";

    public static string Format(ArithProblem p)
    {
        var sb = new StringBuilder();
        long a = p.First;
        for (int i = 0; i < p.Steps; i++)
        {
            long c = ArithProblem.Apply(a, p.Ops[i], p.Operands[i]);
            sb.Append(FormatStep(a, p.Ops[i], p.Operands[i], c)).Append('\n');
            a = c;
        }
        sb.Append(FormatAnswer(a));
        return sb.ToString();
    }

    public static string FormatStep(long a, char op, long b, long c) =>
        string.Create(CultureInfo.InvariantCulture, $"{a}{op}{b}={c}");

    public static string FormatAnswer(long n) => string.Create(CultureInfo.InvariantCulture, $"{AnswerPrefix} {n}");

    /// <summary>The last <c>answer: n</c> in the text (the final-answer line), or null.</summary>
    [GeneratedRegex(@"answer:\s*(-?\d{1,18})\b")]
    internal static partial Regex AnswerRegex();

    [GeneratedRegex(@"^\s*(-?\d{1,18})\s*([+\-*])\s*(-?\d{1,18})\s*=\s*(-?\d{1,18})\s*$")]
    internal static partial Regex StepRegex();

    /// <summary>The solution split into its step lines (non-empty lines before the first answer
    /// line; a line that is not a well-formed step is still a step, a wrong one) and the answer line.</summary>
    public static (List<string> Steps, string? AnswerLine) Split(string solution)
    {
        ArgumentNullException.ThrowIfNull(solution);
        var steps = new List<string>();
        foreach (var raw in solution.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0) continue;
            if (AnswerRegex().IsMatch(line)) return (steps, line);
            steps.Add(line);
        }
        return (steps, null);
    }

    /// <summary>Parses one step line; false when it is not of the form <c>a&lt;op&gt;b=c</c>.</summary>
    public static bool TryParseStep(string line, out long a, out char op, out long b, out long c)
    {
        var m = StepRegex().Match(line);
        a = b = c = 0;
        op = '\0';
        if (!m.Success) return false;
        op = m.Groups[2].Value[0];
        return long.TryParse(m.Groups[1].ValueSpan, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out a)
            && long.TryParse(m.Groups[3].ValueSpan, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out b)
            && long.TryParse(m.Groups[4].ValueSpan, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out c);
    }
}
