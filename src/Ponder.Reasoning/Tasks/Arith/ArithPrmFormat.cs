using System.Text;

namespace Ponder.Reasoning.Tasks.Arith;

/// <summary>
/// What the arith step verifier (PRM) reads: the question and a newline, then each solution line
/// (steps, then the answer line) followed by the marker <c>#</c> and a newline. The verdict for a
/// line is read at its marker: the model's next-token distribution there puts its mass on
/// <c>+</c> (still right) or <c>-</c> (wrong). Because the model is causal, one pass over the
/// whole text scores every line, exactly as scoring each prefix alone would.
/// </summary>
public static class ArithPrmFormat
{
    public const char Marker = '#', Good = '+', Bad = '-';

    /// <summary>The lines a verifier scores: the step lines, then the answer line if there is one.</summary>
    public static List<string> Lines(string solution)
    {
        var (steps, answer) = ArithSolution.Split(solution);
        var lines = new List<string>(steps.Count + 1);
        foreach (var s in steps) lines.Add(Clean(s));
        if (answer != null) lines.Add(Clean(answer));
        return lines;
    }

    static string Clean(string line) => line.Replace(Marker.ToString(), "", StringComparison.Ordinal).Trim();

    public static string Text(string question, IReadOnlyList<string> lines)
    {
        var sb = new StringBuilder(question).Append('\n');
        foreach (var l in lines) sb.Append(l).Append(Marker).Append('\n');
        return sb.ToString();
    }
}
