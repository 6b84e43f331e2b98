namespace Ponder.Tokenizers;

/// <summary>GPT-2's pattern <c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)</c>, hand-coded
/// the way llama.cpp hand-codes it (<c>unicode_regex_split_custom_gpt2</c>) rather than run as a regex: llama.cpp
/// never runs this pattern through a regex engine, so its hand-coded scan is the reference (a run of unmatched
/// characters becomes one piece per character, where a regex split would make one gap piece).</summary>
internal sealed class Gpt2SplitStep : SplitStep
{
    const int InRange = 0x100;

    public override void Split(CodePointText text, List<int> pieces, List<int> output)
    {
        var cps = text.CodePointArray;
        var fl = text.FlagArray;
        int start = 0;
        foreach (int len in pieces)
        {
            int ini = start, end = start + len;
            start = end;
            int F(int p) => p < end ? fl[p] | InRange : 0;
            int prevEnd = ini;
            void Add(int e)
            {
                if (e > prevEnd) output.Add(e - prevEnd);
                prevEnd = e;
            }

            for (int pos = ini; pos < end;)
            {
                int cpt = cps[pos];
                int flags = F(pos);
                if (cpt == '\'' && pos + 1 < end)
                {
                    int n1 = cps[pos + 1];
                    if (n1 is 's' or 't' or 'm' or 'd') { pos += 2; Add(pos); continue; }
                    if (pos + 2 < end)
                    {
                        int n2 = cps[pos + 2];
                        if ((n1 == 'r' && n2 == 'e') || (n1 == 'v' && n2 == 'e') || (n1 == 'l' && n2 == 'l')) { pos += 3; Add(pos); continue; }
                    }
                }
                int flags2 = cpt == ' ' ? F(pos + 1) : flags;
                if ((flags2 & UnicodeFlags.Letter) != 0)
                {
                    if (cpt == ' ') pos++;
                    while ((flags2 & UnicodeFlags.Letter) != 0) flags2 = F(++pos);
                    Add(pos);
                    continue;
                }
                if ((flags2 & UnicodeFlags.Number) != 0)
                {
                    if (cpt == ' ') pos++;
                    while ((flags2 & UnicodeFlags.Number) != 0) flags2 = F(++pos);
                    Add(pos);
                    continue;
                }
                if (IsOther(flags2))
                {
                    if (cpt == ' ') pos++;
                    while (IsOther(flags2)) flags2 = F(++pos);
                    Add(pos);
                    continue;
                }
                int nws = 0;
                while ((F(pos + nws) & UnicodeFlags.Whitespace) != 0) nws++;
                if (nws > 1 && pos + nws < end) { pos += nws - 1; Add(pos); continue; }
                if (nws > 0) { pos += nws; Add(pos); continue; }
                Add(++pos);
            }
        }
    }

    static bool IsOther(int f) =>
        (f & (UnicodeFlags.Whitespace | UnicodeFlags.Letter | UnicodeFlags.Number)) == 0 && (f & InRange) != 0;
}
