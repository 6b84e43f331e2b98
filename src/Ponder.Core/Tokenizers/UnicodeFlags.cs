using System.Globalization;

namespace Ponder.Tokenizers;

/// <summary>Per-code-point classes the pre-tokenizers test, with llama.cpp's meaning (<c>unicode_cpt_flags</c>):
/// one general-category bit (L, N, P, M, S, or C/Z/unassigned as "other") plus White_Space. Built once from
/// .NET's Unicode tables; llama.cpp's own table may be a Unicode version apart, which only matters for
/// code points assigned between the two versions.</summary>
internal static class UnicodeFlags
{
    public const byte Number = 0x01;
    public const byte Letter = 0x02;
    public const byte Punctuation = 0x04;
    public const byte AccentMark = 0x08;
    public const byte Symbol = 0x10;
    public const byte Control = 0x20;
    public const byte Whitespace = 0x80;

    const int MaxCodePoint = 0x110000;

    // One byte per code point (1.1 MB): a direct index is several times faster than a range search in the
    // pre-tokenizer loop, which looks at every code point of the input at least once.
    static readonly byte[] Table = Build();

    public static byte Of(int cp) => (uint)cp < MaxCodePoint ? Table[cp] : (byte)0;

    public static bool IsLetter(int cp) => (Of(cp) & Letter) != 0;
    public static bool IsNumber(int cp) => (Of(cp) & Number) != 0;
    public static bool IsWhitespace(int cp) => (Of(cp) & Whitespace) != 0;

    static byte[] Build()
    {
        var t = new byte[MaxCodePoint];
        for (int cp = 0; cp < MaxCodePoint; cp++)
        {
            if (cp is >= 0xD800 and <= 0xDFFF) { t[cp] = Control; continue; }
            byte f = CharUnicodeInfo.GetUnicodeCategory(cp) switch
            {
                UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                    or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => Letter,
                UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => Number,
                UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => AccentMark,
                UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
                    or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation
                    or UnicodeCategory.FinalQuotePunctuation or UnicodeCategory.OtherPunctuation => Punctuation,
                UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol
                    or UnicodeCategory.OtherSymbol => Symbol,
                UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.PrivateUse => Control,
                _ => 0, // separators (all White_Space, flagged below) and unassigned code points
            };
            t[cp] = f;
        }
        // White_Space (PropList.txt), the set llama.cpp's unicode_set_whitespace holds; char.IsWhiteSpace is
        // exactly this set for the BMP and there is none above it.
        for (int cp = 0; cp <= 0xFFFF; cp++)
            if (char.IsWhiteSpace((char)cp)) t[cp] |= Whitespace;
        return t;
    }

    /// <summary>Simple lower-case mapping. .NET's invariant casing leaves U+0130 alone, llama.cpp maps it to 'i'.</summary>
    public static int ToLower(int cp)
    {
        if (cp < 0x80) return cp is >= 'A' and <= 'Z' ? cp + 32 : cp;
        if (cp == 0x130) return 'i';
        if (cp > 0x10FFFF || cp is >= 0xD800 and <= 0xDFFF) return cp;
        return System.Text.Rune.ToLowerInvariant(new System.Text.Rune(cp)).Value;
    }
}
