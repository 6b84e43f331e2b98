namespace Ponder.Tokenizers;

/// <summary>Cuts special-token text out of the input before the model sees it (llama.cpp's
/// <c>tokenizer_st_partition</c>): each special token in <see cref="Vocabulary.SpecialTokensLongestFirst"/> order
/// splits every remaining text fragment at each of its occurrences. User-defined tokens are always cut out (as
/// Hugging Face does for added tokens); control and unknown tokens only when <c>parseSpecial</c> is set.</summary>
internal static class SpecialTokenSplitter
{
    /// <summary>A piece of the input: a special token (<see cref="Token"/> ≥ 0) or plain text [Start, Start+Length).</summary>
    public readonly record struct Fragment(int Token, int Start, int Length)
    {
        public bool IsText => Token < 0;
    }

    public static void Split(ReadOnlySpan<char> text, Vocabulary v, bool parseSpecial, List<Fragment> fragments)
    {
        fragments.Clear();
        if (text.IsEmpty) return;
        fragments.Add(new Fragment(-1, 0, text.Length));
        var next = new List<Fragment>();
        foreach (int id in v.SpecialTokensLongestFirst)
        {
            var attr = v.Attributes[id];
            if (!parseSpecial && (attr & (TokenAttributes.Control | TokenAttributes.Unknown)) != 0) continue;
            var tok = v.Texts[id].AsSpan();
            bool any = false;
            foreach (var f in fragments)
                if (f.IsText && text.Slice(f.Start, f.Length).IndexOf(tok, StringComparison.Ordinal) >= 0) { any = true; break; }
            if (!any) continue;

            next.Clear();
            foreach (var f in fragments)
            {
                if (!f.IsText) { next.Add(f); continue; }
                int pos = f.Start, end = f.Start + f.Length;
                while (true)
                {
                    int at = text[pos..end].IndexOf(tok, StringComparison.Ordinal);
                    if (at < 0)
                    {
                        if (end > pos) next.Add(new Fragment(-1, pos, end - pos));
                        break;
                    }
                    int match = pos + at, leftEnd = match;
                    if ((attr & TokenAttributes.LStrip) != 0)
                        while (leftEnd > pos && IsCSpace(text[leftEnd - 1])) leftEnd--;
                    if (leftEnd > pos) next.Add(new Fragment(-1, pos, leftEnd - pos));
                    next.Add(new Fragment(id, match, tok.Length));
                    pos = match + tok.Length;
                    if ((attr & TokenAttributes.RStrip) != 0)
                        while (pos < end && IsCSpace(text[pos])) pos++;
                }
            }
            fragments.Clear();
            fragments.AddRange(next);
        }
    }

    /// <summary>C's isspace in the "C" locale, which llama.cpp uses to strip around lstrip/rstrip tokens.</summary>
    static bool IsCSpace(char c) => c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r';
}
