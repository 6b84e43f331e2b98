using System.Text.RegularExpressions;

namespace Ponder.Tokenizers;

/// <summary>llama.cpp's pre-tokenizer regexes, compiled at build time. Patterns marked "collapsed" are llama.cpp's
/// with each <c>\p{X}</c> rewritten the way <c>unicode_regex_split</c> rewrites it (stand-in char
/// <see cref="CodePointText.CollapsedLetter"/> etc. plus the ASCII members of the class) and run on
/// <see cref="CodePointText.Collapsed"/>; "raw" ones contain no \p and run on <see cref="CodePointText.Raw"/>.
/// <c>$</c> becomes <c>\z</c> because std::regex's <c>$</c> only matches at the very end.</summary>
internal static partial class PreTokenizerPatterns
{
    const RegexOptions Opts = RegexOptions.CultureInvariant;

    /// <summary>Qwen2 (collapsed): <c>(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+</c></summary>
    [GeneratedRegex(@"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\u00D2A-Za-z\u00D10-9]?[\u00D2A-Za-z]+|[\u00D10-9]| ?[^\s\u00D2A-Za-z\u00D10-9]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+", Opts)]
    public static partial Regex Qwen2();

    /// <summary>Default pre-tokenizer, first step (collapsed): <c>[\p{P}\$\+&lt;=&gt;\^~\|]+</c></summary>
    [GeneratedRegex(@"[\u00D3!-#%-*,-/:;?@\[-\]_{}$+<=>^~|]+", Opts)]
    public static partial Regex DefaultPunctuation();

    /// <summary>Falcon, first step (collapsed): <c>[\p{P}\$\+&lt;=&gt;\^~\|`]+</c></summary>
    [GeneratedRegex(@"[\u00D3!-#%-*,-/:;?@\[-\]_{}$+<=>^~|`]+", Opts)]
    public static partial Regex FalconPunctuation();

    /// <summary>(raw) <c>[0-9][0-9][0-9]</c></summary>
    [GeneratedRegex(@"[0-9][0-9][0-9]", Opts)]
    public static partial Regex ThreeDigits();

    /// <summary>(collapsed) <c>\p{N}+</c></summary>
    [GeneratedRegex(@"[\u00D10-9]+", Opts)]
    public static partial Regex NumberRun();

    /// <summary>(collapsed) <c>\p{N}</c></summary>
    [GeneratedRegex(@"[\u00D10-9]", Opts)]
    public static partial Regex SingleNumber();

    /// <summary>(raw) <c>[\r\n]</c></summary>
    [GeneratedRegex(@"[\r\n]", Opts)]
    public static partial Regex Newline();

    /// <summary>DeepSeek LLM (raw): <c>\s?[A-Za-zµÀ-ÖØ-ö...]+</c>, the letter list of DeepSeek's tokenizer.json. Its seven
    /// ranges above U+FFFF (𐐀-𐑏 𐒰-𐓓 𐓘-𐓻 𐲀-𐲲 𐳀-𐳲 𑢠-𑣟 𞤀-𞥃) are tested by <see cref="DeepSeekAstral"/>, which maps
    /// those code points to 'µ' (a member) in the raw view.</summary>
    [GeneratedRegex(@"\s?[A-Za-z\u00B5\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u01BA\u01BC-\u01BF\u01C4-\u0293\u0295-\u02AF\u0370-\u0373\u0376\u0377\u037B-\u037D\u037F\u0386\u0388-\u038A\u038C\u038E-\u03A1\u03A3-\u03F5\u03F7-\u0481\u048A-\u052F\u0531-\u0556\u10A0-\u10C5\u13A0-\u13F5\u13F8-\u13FD\u1C90-\u1CBA\u1CBD-\u1CBF\u1D00-\u1D2B\u1D6B-\u1D77\u1D79-\u1D9A\u1E00-\u1F15\u1F18-\u1F1D\u1F20-\u1F45\u1F48-\u1F4D\u1F50-\u1F57\u1F59\u1F5B\u1F5D\u1F5F-\u1F7D\u1F80-\u1FB4\u1FB6-\u1FBC\u1FBE\u1FC2-\u1FC4\u1FC6-\u1FCC\u1FD0-\u1FD3\u1FD6-\u1FDB\u1FE0-\u1FEC\u1FF2-\u1FF4\u1FF6-\u1FFC\u2102\u2107\u210A-\u2113\u2115\u2119-\u211D\u2124\u2126\u2128\u212A-\u212D\u212F-\u2134\u2139\u213C-\u213F\u2145-\u2149\u214E\u2183\u2184\u2C00-\u2C7B\u2C7E-\u2CE4\u2CEB-\u2CEE\u2CF2\u2CF3\uA640-\uA66D\uA680-\uA69B\uA722-\uA76F\uA771-\uA787\uA78B-\uA78E\uAB70-\uABBF\uFB00-\uFB06\uFB13-\uFB17\uFF21-\uFF3A\uFF41-\uFF5A]+", Opts)]
    public static partial Regex DeepSeekLetters();

    public static char DeepSeekAstral(int cp) =>
        cp is (>= 0x10400 and <= 0x1044F) or (>= 0x104B0 and <= 0x104D3) or (>= 0x104D8 and <= 0x104FB)
            or (>= 0x10C80 and <= 0x10CB2) or (>= 0x10CC0 and <= 0x10CF2) or (>= 0x118A0 and <= 0x118DF)
            or (>= 0x1E900 and <= 0x1E943)
            ? '\u00B5' : '\uE000';

    /// <summary>DeepSeek LLM (raw): <c>\s?[!-/:-~！-／：-～‘-‟　-。]+</c></summary>
    [GeneratedRegex(@"\s?[!-/:-~\uFF01-\uFF0F\uFF1A-\uFF5E\u2018-\u201F\u3000-\u3002]+", Opts)]
    public static partial Regex DeepSeekPunctuation();

    /// <summary>(raw) <c>\s+$</c></summary>
    [GeneratedRegex(@"\s+\z", Opts)]
    public static partial Regex TrailingWhitespace();

    /// <summary>DeepSeek (raw): <c>[一-龥ࠀ-一가-퟿]+</c></summary>
    [GeneratedRegex(@"[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+", Opts)]
    public static partial Regex Cjk();

    /// <summary>DeepSeek Coder (collapsed): <c>\s?\p{L}+</c></summary>
    [GeneratedRegex(@"\s?[\u00D2A-Za-z]+", Opts)]
    public static partial Regex SpaceLetters();

    /// <summary>DeepSeek Coder (collapsed): <c>\s?\p{P}+</c></summary>
    [GeneratedRegex(@"\s?[\u00D3!-#%-*,-/:;?@\[-\]_{}]+", Opts)]
    public static partial Regex SpacePunctuation();

    /// <summary>BLOOM, Poro, GPT-3 Finnish, Viking (raw): <c> ?[^(\s|.,!?…。，、।۔،)]+</c></summary>
    [GeneratedRegex(@" ?[^(\s|.,!?\u2026\u3002\uFF0C\u3001\u0964\u06D4\u060C)]+", Opts)]
    public static partial Regex Bloom();
}
