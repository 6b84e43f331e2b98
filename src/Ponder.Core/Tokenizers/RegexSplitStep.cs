using System.Text.RegularExpressions;

namespace Ponder.Tokenizers;

/// <summary>A pattern run on one of <see cref="CodePointText"/>'s one-char-per-code-point views, as llama.cpp's
/// std::regex fallback does: every match is a piece and so is every non-empty gap between matches.</summary>
internal sealed class RegexSplitStep(Regex regex, bool collapsed, Func<int, char>? astral = null) : SplitStep
{
    static readonly Func<int, char> NoClass = _ => '\uE000'; // a private-use char no shipped pattern names

    readonly Func<int, char> _astral = astral ?? NoClass;

    public override void Split(CodePointText text, List<int> pieces, List<int> output)
    {
        var view = collapsed ? text.Collapsed : text.Raw(_astral);
        int start = 0;
        foreach (int len in pieces)
        {
            var span = view.Slice(start, len);
            int done = 0;
            foreach (var m in regex.EnumerateMatches(span))
            {
                if (m.Index > done) output.Add(m.Index - done);
                if (m.Length > 0) output.Add(m.Length);
                done = m.Index + m.Length;
            }
            if (done < len) output.Add(len - done);
            start += len;
        }
    }
}
