using System.Buffers;

namespace Ponder.Tokenizers;

/// <summary>One text fragment as code points, their <see cref="UnicodeFlags"/>, and the one-char-per-code-point
/// views llama.cpp runs its regexes on, so that offsets are code-point counts whichever view a step uses.</summary>
/// <remarks>llama.cpp's <c>unicode_regex_split</c> does not give <c>\p{L}</c> to the regex engine: it rewrites every
/// code point at or above 128 to one stand-in character per class (letter, number, punctuation, mark, symbol,
/// other; any White_Space to \v) and rewrites <c>\p{L}</c> to "stand-in or A-Za-z". Running the same
/// rewritten patterns on the same stand-ins reproduces its splits exactly, including for code points where
/// .NET's own <c>\p{L}</c>, <c>\s</c> or <c>\w</c> would differ (U+0085, U+00A0, marks).</remarks>
internal sealed class CodePointText : IDisposable
{
    public const char CollapsedNumber = '\u00D1';
    public const char CollapsedLetter = '\u00D2';
    public const char CollapsedPunctuation = '\u00D3';
    public const char CollapsedMark = '\u00D4';
    public const char CollapsedSymbol = '\u00D5';
    public const char CollapsedOther = '\u00D0';

    int[] _cps;
    byte[] _flags;
    char[]? _collapsed;
    char[]? _raw;

    public int Length { get; }
    public ReadOnlySpan<int> CodePoints => _cps.AsSpan(0, Length);
    public ReadOnlySpan<byte> Flags => _flags.AsSpan(0, Length);
    /// <summary>The pooled arrays behind <see cref="CodePoints"/> and <see cref="Flags"/> (valid up to <see cref="Length"/>),
    /// for scanners that index them from local functions.</summary>
    internal int[] CodePointArray => _cps;
    internal byte[] FlagArray => _flags;

    public CodePointText(ReadOnlySpan<char> text)
    {
        _cps = ArrayPool<int>.Shared.Rent(Math.Max(1, text.Length));
        _flags = ArrayPool<byte>.Shared.Rent(Math.Max(1, text.Length));
        int n = 0;
        for (int i = 0; i < text.Length; i++)
        {
            int c = text[i];
            if (char.IsHighSurrogate((char)c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                c = char.ConvertToUtf32((char)c, text[++i]);
            else if (c is >= 0xD800 and <= 0xDFFF)
                c = 0xFFFD; // a lone surrogate has no UTF-8 form; llama.cpp turns invalid input into U+FFFD too
            _cps[n] = c;
            _flags[n] = UnicodeFlags.Of(c);
            n++;
        }
        Length = n;
    }

    /// <summary>The view for patterns that use \p{..} classes (llama.cpp's "collapsed" text).</summary>
    public ReadOnlySpan<char> Collapsed
    {
        get
        {
            if (_collapsed == null)
            {
                _collapsed = ArrayPool<char>.Shared.Rent(Math.Max(1, Length));
                for (int i = 0; i < Length; i++)
                {
                    int cp = _cps[i];
                    byte f = _flags[i];
                    _collapsed[i] = cp < 128 ? (char)cp
                        : (f & UnicodeFlags.Whitespace) != 0 ? '\v'
                        : (f & UnicodeFlags.Number) != 0 ? CollapsedNumber
                        : (f & UnicodeFlags.Letter) != 0 ? CollapsedLetter
                        : (f & UnicodeFlags.Punctuation) != 0 ? CollapsedPunctuation
                        : (f & UnicodeFlags.AccentMark) != 0 ? CollapsedMark
                        : (f & UnicodeFlags.Symbol) != 0 ? CollapsedSymbol
                        : CollapsedOther;
                }
            }
            return _collapsed.AsSpan(0, Length);
        }
    }

    /// <summary>The view for patterns without \p{..} (llama.cpp matches those on the code points themselves, with
    /// non-ASCII White_Space turned into \v). A code point above U+FFFF becomes the char <paramref name="astral"/>
    /// chooses, because a pattern's class can only test one UTF-16 char.</summary>
    public ReadOnlySpan<char> Raw(Func<int, char> astral)
    {
        if (_raw == null)
        {
            _raw = ArrayPool<char>.Shared.Rent(Math.Max(1, Length));
            for (int i = 0; i < Length; i++)
            {
                int cp = _cps[i];
                _raw[i] = cp > 0xFFFF ? astral(cp)
                    : cp >= 0x80 && (_flags[i] & UnicodeFlags.Whitespace) != 0 ? '\v'
                    : (char)cp;
            }
        }
        return _raw.AsSpan(0, Length);
    }

    public void Dispose()
    {
        ArrayPool<int>.Shared.Return(_cps);
        ArrayPool<byte>.Shared.Return(_flags);
        if (_collapsed != null) ArrayPool<char>.Shared.Return(_collapsed);
        if (_raw != null) ArrayPool<char>.Shared.Return(_raw);
        _cps = null!;
        _flags = null!;
    }
}
