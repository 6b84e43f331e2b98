using System.Globalization;
using System.Text.RegularExpressions;
using Ponder.Reasoning.Tasks.Arith;

namespace Ponder.Reasoning;

/// <summary>
/// One question for a strategy: the text the policy continues, how steps are delimited, how an
/// answer is read out of a solution, and (for evaluation) the known answer and a difficulty label.
/// </summary>
public sealed partial record Problem
{
    /// <summary>A stable id (results.jsonl key).</summary>
    public string Id { get; init; } = "";
    public required string Question { get; init; }
    /// <summary>What the policy model continues (for the arith policy: the question and a newline).</summary>
    public required string Prompt { get; init; }
    /// <summary>The known answer, normalised as <see cref="Extract"/> returns it; null when unknown.</summary>
    public string? Answer { get; init; }
    /// <summary>Difficulty label for reports (arith: the step count k).</summary>
    public int? Difficulty { get; init; }
    /// <summary>Steps are delimited by this (arith: one equation per line).</summary>
    public string StepSeparator { get; init; } = "\n";
    /// <summary>Reads the final answer out of a (partial) solution; null when there is none yet.</summary>
    public Func<string, string?> Extract { get; init; } = ExtractDefault;

    public bool IsCorrect(string? answer) => Answer != null && answer != null && answer == Answer;

    /// <summary>An arith problem: the policy was trained on <c>question \n steps... answer: n EOS</c>.</summary>
    public static Problem FromArith(ArithProblem p, string? id = null) => new()
    {
        Id = id ?? p.Question,
        Question = p.Question,
        Prompt = p.Question + "\n",
        Answer = p.Answer.ToString(CultureInfo.InvariantCulture),
        Difficulty = p.Steps,
        Extract = ExtractArith,
    };

    /// <summary>A free-form question: arith when it parses as one, otherwise GSM8K-style answer extraction.</summary>
    public static Problem FromQuestion(string question, string? answer = null, string? id = null)
    {
        string q = question.Trim();
        try
        {
            var p = FromArith(ArithProblem.Parse(q), id);
            return answer == null ? p with { Answer = null } : p with { Answer = Normalize(answer) };
        }
        catch (FormatException)
        {
            return new Problem { Id = id ?? q, Question = q, Prompt = q + "\n", Answer = answer == null ? null : Normalize(answer) };
        }
        catch (ArgumentException)
        {
            return new Problem { Id = id ?? q, Question = q, Prompt = q + "\n", Answer = answer == null ? null : Normalize(answer) };
        }
    }

    static string? ExtractArith(string text) => ArithChecker.ExtractAnswer(text)?.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>answer: n</c>, else GSM8K's <c>#### n</c>, else null.</summary>
    public static string? ExtractDefault(string text)
    {
        var m = AnswerLine().Matches(text);
        if (m.Count > 0) return Normalize(m[^1].Groups[1].Value);
        m = HashAnswer().Matches(text);
        return m.Count > 0 ? Normalize(m[^1].Groups[1].Value) : null;
    }

    /// <summary>Numbers compare as numbers ("1,000" = "1000" = "1000.0"); other text is trimmed.</summary>
    public static string Normalize(string answer)
    {
        string s = answer.Trim().Replace(",", "", StringComparison.Ordinal).TrimEnd('.');
        return decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? d.ToString("0.############", CultureInfo.InvariantCulture) : s;
    }

    [GeneratedRegex(@"answer:\s*(-?[\d,]*\.?\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex AnswerLine();

    [GeneratedRegex(@"####\s*(-?[\d,]*\.?\d+)")]
    private static partial Regex HashAnswer();
}
