using System.Text;

namespace Ponder.Tokenizers;

/// <summary>WordPiece as llama.cpp runs it for BERT vocabularies (<c>llm_tokenizer_wpm_session</c> at the reference
/// commit): each code point is reduced to the first code point of its NFD form and lower-cased, whitespace
/// separates words, punctuation, ASCII symbols and CJK ideographs are words of their own, control characters
/// vanish; each word, prefixed with ▁, is covered greedily by the longest tokens, and a word that cannot be
/// covered becomes the unknown token.</summary>
internal sealed class WpmModel(Vocabulary v) : ITokenModel
{
    const char Space = '\u2581';

    public void Encode(ReadOnlySpan<char> text, List<int> output)
    {
        var word = new StringBuilder();
        word.Append(Space);
        for (int i = 0; i < text.Length; i++)
        {
            int cp = text[i];
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                cp = char.ConvertToUtf32(text[i], text[++i]);
            cp = UnicodeNfdTable.FirstOfDecomposition(cp);
            byte f = UnicodeFlags.Of(cp);
            if ((f & UnicodeFlags.Whitespace) != 0)
            {
                Flush(word, output);
                continue;
            }
            if (cp == 0 || cp == 0xFFFD || (f & UnicodeFlags.Control) != 0) continue;
            int lower = UnicodeFlags.ToLower(cp);
            if ((f & UnicodeFlags.Punctuation) != 0 || (cp < 0x7F && (f & UnicodeFlags.Symbol) != 0) || IsChinese(cp))
            {
                Flush(word, output);
                word.Append(char.ConvertFromUtf32(lower));
                Flush(word, output);
            }
            else
            {
                word.Append(char.ConvertFromUtf32(lower));
            }
        }
        Flush(word, output);
    }

    void Flush(StringBuilder word, List<int> output)
    {
        if (word.Length > 1) EncodeWord(word.ToString(), output);
        word.Clear();
        word.Append(Space);
    }

    void EncodeWord(string word, List<int> output)
    {
        int before = output.Count;
        int n = word.Length;
        for (int i = 0; i < n; i++)
        {
            bool match = false;
            for (int j = Math.Min(n, i + v.MaxTokenChars + 1); j > i; j--)
            {
                int id = v.Lookup(word.AsSpan(i, j - i));
                if (id >= 0)
                {
                    output.Add(id);
                    match = true;
                    i = j - 1;
                    break;
                }
            }
            if (!match)
            {
                output.RemoveRange(before, output.Count - before);
                break;
            }
        }
        if (output.Count == before && v.Unk is int unk) output.Add(unk);
    }

    static bool IsChinese(int cp) =>
        cp is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF)
            or (>= 0x2A700 and <= 0x2B73F) or (>= 0x2B740 and <= 0x2B81F)
            or (>= 0x2B920 and <= 0x2CEAF) // sic: 0x2B820 in Unicode, 0x2B920 in HF's Rust code and llama.cpp
            or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);
}
