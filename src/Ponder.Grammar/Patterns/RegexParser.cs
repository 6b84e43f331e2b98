using System.Globalization;
using System.Text;
using Ponder.Grammars.Generation;

namespace Ponder.Grammars.Patterns;

/// <summary>
/// Parses the ECMAScript regex subset used by JSON Schema "pattern" (and by --regex) into a
/// <see cref="RegexNode"/> tree. Anything whose language a context-free grammar cannot express
/// exactly (backreferences, lookaround, word boundaries) is refused rather than approximated:
/// an approximation would let the model produce strings the validator rejects.
/// </summary>
/// <remarks>
/// System.Text.RegularExpressions has a parser, but its tree is internal and its dialect is .NET's,
/// not ECMAScript's, so this small recursive-descent parser is written out here.
/// </remarks>
public sealed class RegexParser
{
    // ECMAScript '.' excludes the line terminators.
    private static readonly CharRangeSet Dot = CharRangeSet.All.Except(
        CharRangeSet.FromRanges(('\n', '\n'), ('\r', '\r'), (0x2028, 0x2029)));

    private readonly string _pattern;
    private int _pos;

    private RegexParser(string pattern) => _pattern = pattern;

    public static RegexNode Parse(string pattern)
    {
        ArgumentNullException.ThrowIfNull(pattern);
        var parser = new RegexParser(pattern);
        var node = parser.ParseAlternation();
        if (parser._pos < pattern.Length)
            throw parser.Error(pattern[parser._pos] == ')' ? "unmatched ')'" : $"unexpected '{pattern[parser._pos]}'");
        return node;
    }

    private bool AtEnd => _pos >= _pattern.Length;
    private char Peek => _pattern[_pos];

    private RegexNode ParseAlternation()
    {
        var branches = new List<RegexNode> { ParseSequence() };
        while (!AtEnd && Peek == '|')
        {
            _pos++;
            branches.Add(ParseSequence());
        }
        return branches.Count == 1 ? branches[0] : new RegexAlternation(branches);
    }

    private RegexNode ParseSequence()
    {
        var parts = new List<RegexNode>();
        while (!AtEnd && Peek != '|' && Peek != ')')
        {
            var atom = ParseAtom();
            if (atom is RegexAnchor) { parts.Add(atom); continue; }
            parts.Add(ParseQuantifiers(atom));
        }
        return parts.Count == 1 ? parts[0] : new RegexSequence(parts);
    }

    private RegexNode ParseQuantifiers(RegexNode atom)
    {
        if (AtEnd) return atom;
        int start = _pos;
        int min, max;
        switch (Peek)
        {
            case '*': _pos++; (min, max) = (0, -1); break;
            case '+': _pos++; (min, max) = (1, -1); break;
            case '?': _pos++; (min, max) = (0, 1); break;
            case '{':
                if (!TryParseBraces(out min, out max)) return atom;
                break;
            default: return atom;
        }
        if (max >= 0 && min > max) throw Error($"quantifier {{{min},{max}}} has min > max", start);
        // A lazy quantifier matches the same language; only which match is found differs.
        if (!AtEnd && Peek == '?') _pos++;
        if (!AtEnd && (Peek is '*' or '+' or '?' || Peek == '{' && LooksLikeBraces()))
            throw Error("nothing to repeat (a quantifier follows a quantifier)");
        return new RegexRepeat(atom, min, max < 0 ? null : max);
    }

    private bool LooksLikeBraces()
    {
        int save = _pos;
        bool ok = TryParseBraces(out _, out _);
        _pos = save;
        return ok;
    }

    /// <summary>{n}, {n,} or {n,m}; anything else leaves the '{' to be read as a literal.</summary>
    private bool TryParseBraces(out int min, out int max)
    {
        min = max = 0;
        int save = _pos;
        _pos++; // '{'
        if (!TryReadInt(out min)) { _pos = save; return false; }
        max = min;
        if (!AtEnd && Peek == ',')
        {
            _pos++;
            if (!TryReadInt(out max)) max = -1;
        }
        if (AtEnd || Peek != '}') { _pos = save; return false; }
        _pos++;
        return true;
    }

    private bool TryReadInt(out int value)
    {
        int start = _pos;
        while (!AtEnd && char.IsAsciiDigit(Peek)) _pos++;
        if (_pos == start) { value = 0; return false; }
        if (!int.TryParse(_pattern.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out value))
            throw Error("repetition count is too large", start);
        return true;
    }

    private RegexNode ParseAtom()
    {
        int start = _pos;
        char c = Peek;
        switch (c)
        {
            case '(':
                return ParseGroup();
            case '[':
                return new RegexChars(ParseClass());
            case '.':
                _pos++;
                return new RegexChars(Dot);
            case '^':
                _pos++;
                return new RegexAnchor(true, start);
            case '$':
                _pos++;
                return new RegexAnchor(false, start);
            case '\\':
                return ParseEscape();
            case '*' or '+' or '?':
                throw Error($"nothing to repeat before '{c}'");
            case '{' when LooksLikeBraces():
                throw Error("nothing to repeat before '{'");
            default:
                return new RegexChars(CharRangeSet.Single(ReadRune()));
        }
    }

    private RegexNode ParseGroup()
    {
        int start = _pos;
        _pos++; // '('
        if (!AtEnd && Peek == '?')
        {
            string rest = _pattern[(_pos + 1)..];
            if (rest.StartsWith(':')) _pos += 2;
            else if (rest.StartsWith("<=") || rest.StartsWith("<!")) throw Error("lookbehind is not supported", start);
            else if (rest.StartsWith('=') || rest.StartsWith('!')) throw Error("lookahead is not supported", start);
            else if (rest.StartsWith('<') || rest.StartsWith("P<"))
            {
                int close = _pattern.IndexOf('>', _pos);
                if (close < 0) throw Error("unterminated group name", start);
                _pos = close + 1;
            }
            else throw Error("unsupported group construct '(?'", start);
        }
        var body = ParseAlternation();
        if (AtEnd || Peek != ')') throw Error("missing ')'", start);
        _pos++;
        return body;
    }

    private CharRangeSet ParseClass()
    {
        int start = _pos;
        _pos++; // '['
        bool negate = false;
        if (!AtEnd && Peek == '^') { negate = true; _pos++; }
        var set = CharRangeSet.Empty;
        bool hasClassEscape = false;
        // ECMAScript: '[]' matches nothing and '[^]' matches anything; ']' never starts a class body.
        while (true)
        {
            if (AtEnd) throw Error("missing ']'", start);
            if (Peek == ']') { _pos++; break; }
            var (lowSet, lowChar) = ParseClassAtom();
            if (!AtEnd && Peek == '-' && _pos + 1 < _pattern.Length && _pattern[_pos + 1] != ']')
            {
                int dash = _pos;
                _pos++;
                var (highSet, highChar) = ParseClassAtom();
                if (lowChar < 0 || highChar < 0)
                {
                    hasClassEscape = true;
                    // Annex B: a range with a class escape at either end is the three items literally.
                    set = set.Union(lowSet).Union(CharRangeSet.Single('-')).Union(highSet);
                    continue;
                }
                if (lowChar > highChar) throw Error("class range out of order", dash);
                set = set.Union(CharRangeSet.Range(lowChar, highChar).Intersect(CharRangeSet.All));
                continue;
            }
            if (lowChar < 0) hasClassEscape = true;
            set = set.Union(lowSet);
        }
        if (!negate) return set;
        // [^\w] and friends: the same ASCII restriction as \W (see ClassEscape).
        return hasClassEscape ? set.Complement().Intersect(CharRangeSet.Range(0, 0x7F)) : set.Complement();
    }

    /// <summary>One class member: a set and, when it is a single character, that character (else -1).</summary>
    private (CharRangeSet Set, int Char) ParseClassAtom()
    {
        if (Peek != '\\')
        {
            int r = ReadRune();
            return (CharRangeSet.Single(r), r);
        }
        int start = _pos;
        _pos++;
        if (AtEnd) throw Error("pattern ends with '\\'", start);
        char e = Peek;
        switch (e)
        {
            case 'b': _pos++; return (CharRangeSet.Single('\b'), '\b');
            case '-': _pos++; return (CharRangeSet.Single('-'), '-');
            case 'd' or 'D' or 'w' or 'W' or 's' or 'S':
                _pos++;
                return (ClassEscape(e), -1);
        }
        _pos = start;
        int c = ParseCharacterEscape();
        return (CharRangeSet.Single(c), c);
    }

    private RegexNode ParseEscape()
    {
        int start = _pos;
        if (_pos + 1 >= _pattern.Length) throw Error("pattern ends with '\\'", start);
        char e = _pattern[_pos + 1];
        switch (e)
        {
            case 'd' or 'D' or 'w' or 'W' or 's' or 'S':
                _pos += 2;
                return new RegexChars(ClassEscape(e));
            case 'b' or 'B':
                throw Error($"word boundary '\\{e}' is not supported", start);
            case >= '1' and <= '9':
                throw Error("backreferences are not supported", start);
            case 'k':
                throw Error("named backreferences are not supported", start);
        }
        return new RegexChars(CharRangeSet.Single(ParseCharacterEscape()));
    }

    /// <summary>
    /// \D, \W and \S are complemented within ASCII only: .NET (which validators built on it use)
    /// reads \d, \w and \s as Unicode classes, so a non-ASCII letter would satisfy ECMAScript's \W
    /// but fail .NET's. Restricting to ASCII keeps every output valid under both.
    /// </summary>
    private static CharRangeSet ClassEscape(char e)
    {
        var ascii = CharRangeSet.Range(0, 0x7F);
        return e switch
        {
            'd' => CharRangeSet.Digits,
            'D' => ascii.Except(CharRangeSet.Digits),
            'w' => CharRangeSet.Word,
            'W' => ascii.Except(CharRangeSet.Word),
            's' => CharRangeSet.Space,
            'S' => ascii.Except(CharRangeSet.Space),
            _ => throw new ArgumentOutOfRangeException(nameof(e)),
        };
    }

    /// <summary>A single-character escape starting at the backslash; returns the code point.</summary>
    private int ParseCharacterEscape()
    {
        int start = _pos;
        _pos++; // '\'
        if (AtEnd) throw Error("pattern ends with '\\'", start);
        char e = _pattern[_pos++];
        switch (e)
        {
            case 'n': return '\n';
            case 'r': return '\r';
            case 't': return '\t';
            case 'f': return '\f';
            case 'v': return '\v';
            case '0':
                if (!AtEnd && char.IsAsciiDigit(Peek)) throw Error("octal escapes are not supported", start);
                return 0;
            case 'x':
                return ReadHex(2, start);
            case 'u':
                if (!AtEnd && Peek == '{')
                {
                    int close = _pattern.IndexOf('}', _pos);
                    if (close < 0) throw Error("unterminated \\u{...}", start);
                    var hex = _pattern.AsSpan(_pos + 1, close - _pos - 1);
                    if (!int.TryParse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int cp) || cp > CharRangeSet.MaxCodePoint)
                        throw Error("bad \\u{...} escape", start);
                    _pos = close + 1;
                    return cp;
                }
                int u = ReadHex(4, start);
                // A \uD83D\uDE00 pair is one character.
                if (char.IsHighSurrogate((char)u) && _pos + 6 <= _pattern.Length && _pattern[_pos] == '\\' && _pattern[_pos + 1] == 'u')
                {
                    int save = _pos;
                    _pos += 2;
                    int low = ReadHex(4, save);
                    if (char.IsLowSurrogate((char)low)) return char.ConvertToUtf32((char)u, (char)low);
                    _pos = save;
                }
                if (u is >= 0xD800 and <= 0xDFFF) throw Error("a lone surrogate escape is not a character", start);
                return u;
            case 'c':
                if (!AtEnd && char.IsAsciiLetter(Peek)) return _pattern[_pos++] % 32;
                throw Error("bad control escape '\\c'", start);
            case 'p' or 'P':
                throw Error("Unicode property escapes are not supported", start);
            default:
                if (char.IsAsciiLetterOrDigit(e)) throw Error($"unknown escape '\\{e}'", start);
                _pos--;
                return ReadRune(); // identity escape: \. \* \/ \- ...
        }
    }

    private int ReadHex(int digits, int start)
    {
        if (_pos + digits > _pattern.Length
            || !int.TryParse(_pattern.AsSpan(_pos, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int v))
            throw Error($"expected {digits} hex digits", start);
        _pos += digits;
        return v;
    }

    private int ReadRune()
    {
        if (Rune.TryGetRuneAt(_pattern, _pos, out var rune))
        {
            _pos += rune.Utf16SequenceLength;
            return rune.Value;
        }
        throw Error("invalid UTF-16 in pattern");
    }

    private RegexPatternException Error(string what, int? at = null) => new(_pattern, at ?? _pos, what);
}
