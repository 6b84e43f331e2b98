using System.Text;

namespace Ponder.Reasoning.Verifiers;

/// <summary>
/// What a step verifier reads. <see cref="Arith"/> is the shipped PRM's format, defined on the
/// <c>train</c> branch as <c>ArithPrmFormat</c> (Tasks/Arith): the question and a newline, then
/// each solution line (steps, then the answer line) followed by the marker <c>#</c> and a newline;
/// the verdict of a line is the next-token distribution at its marker, <c>+</c> (still right) or
/// <c>-</c>. This record is the one place the reasoning code spells that format.
/// </summary>
public sealed record PrmFormat(string Marker, string Good, string Bad, string LineEnd = "\n")
{
    public static PrmFormat Arith { get; } = new("#", "+", "-");

    /// <summary>The verifier input up to and including the marker of the last line.</summary>
    public string Prefix(string question, IReadOnlyList<string> lines)
    {
        var sb = new StringBuilder(question).Append(LineEnd);
        for (int i = 0; i < lines.Count; i++)
        {
            sb.Append(lines[i].Replace(Marker, "", StringComparison.Ordinal).Trim()).Append(Marker);
            if (i + 1 < lines.Count) sb.Append(LineEnd);
        }
        return sb.ToString();
    }
}
