namespace Ponder.Tokenizers;

/// <summary>Llama 3's pattern <c>(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+</c>,
/// hand-coded as llama.cpp hand-codes it (<c>unicode_regex_split_custom_llama3</c>), which is what llama.cpp runs
/// for this pattern instead of a regex engine.</summary>
internal sealed class Llama3SplitStep : SplitStep
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
            int Cp(int p) => p < end ? cps[p] : -1;
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
                    int n1 = UnicodeFlags.ToLower(cps[pos + 1]);
                    if (n1 is 's' or 't' or 'm' or 'd') { pos += 2; Add(pos); continue; }
                    if (pos + 2 < end)
                    {
                        int n2 = UnicodeFlags.ToLower(cps[pos + 2]);
                        if ((n1 == 'r' && n2 == 'e') || (n1 == 'v' && n2 == 'e') || (n1 == 'l' && n2 == 'l')) { pos += 3; Add(pos); continue; }
                    }
                }
                if (!(cpt == '\r' || cpt == '\n' || (flags & UnicodeFlags.Number) != 0))
                {
                    if ((flags & UnicodeFlags.Letter) != 0 || (F(pos + 1) & UnicodeFlags.Letter) != 0)
                    {
                        pos++;
                        while ((F(pos) & UnicodeFlags.Letter) != 0) pos++;
                        Add(pos);
                        continue;
                    }
                }
                if ((flags & UnicodeFlags.Number) != 0)
                {
                    int first = pos;
                    while ((F(pos) & UnicodeFlags.Number) != 0)
                    {
                        if (++pos - first >= 3) { Add(pos); first = pos; }
                    }
                    Add(pos);
                    continue;
                }
                int flags2 = cpt == ' ' ? F(pos + 1) : flags;
                if ((flags2 & (UnicodeFlags.Whitespace | UnicodeFlags.Letter | UnicodeFlags.Number)) == 0 && (flags & InRange) != 0)
                {
                    if (cpt == ' ') pos++;
                    while ((flags2 & (UnicodeFlags.Whitespace | UnicodeFlags.Letter | UnicodeFlags.Number)) == 0 && (flags2 & InRange) != 0)
                        flags2 = F(++pos);
                    int c2 = Cp(pos);
                    while (c2 is '\r' or '\n') c2 = Cp(++pos);
                    Add(pos);
                    continue;
                }
                int nws = 0, lastEndRn = 0;
                while ((F(pos + nws) & UnicodeFlags.Whitespace) != 0)
                {
                    int c2 = cps[pos + nws];
                    if (c2 is '\r' or '\n') lastEndRn = pos + nws + 1;
                    nws++;
                }
                if (lastEndRn > 0) { pos = lastEndRn; Add(pos); continue; }
                if (nws > 1 && pos + nws < end) { pos += nws - 1; Add(pos); continue; }
                if (nws > 0) { pos += nws; Add(pos); continue; }
                Add(++pos);
            }
        }
    }
}
