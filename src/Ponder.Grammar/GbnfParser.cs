using System.Globalization;

namespace Ponder.Grammars;

/// <summary>Reads llama.cpp's GBNF (grammars/README.md, <c>llama-grammar.cpp</c>'s parser): the same tokens, escapes
/// and newline rule — a newline ends a rule except inside parentheses or after <c>|</c> or <c>::=</c>.</summary>
/// <remarks>Hand-written because GBNF has no .NET parser; the grammar is small and a recursive-descent reader gives
/// the line/column errors users need.</remarks>
sealed class GbnfParser
{
    /// <summary>Repetition bounds above this are refused: each unit of a bound becomes automaton states, and llama.cpp
    /// caps repetitions at the same order.</summary>
    internal const int MaxRepetition = 10_000;

    readonly string _s;
    readonly List<int> _lineStarts = [0];
    int _pos;

    GbnfParser(string s)
    {
        _s = s;
        for (var i = 0; i < s.Length; i++)
            if (s[i] == '\n') _lineStarts.Add(i + 1);
    }

    public static List<GrammarRule> Parse(string text)
    {
        var p = new GbnfParser(text);
        var rules = new List<GrammarRule>();
        p.SkipSpace(newlineOk: true);
        while (p._pos < p._s.Length) rules.Add(p.ParseRule());
        return rules;
    }

    GrammarRule ParseRule()
    {
        var (line, col) = Where(_pos);
        var name = ParseName("a rule name");
        SkipSpace(newlineOk: false);
        if (!_s.AsSpan(_pos).StartsWith("::="))
            throw Error($"Expected '::=' after rule name '{name}'; a rule is written name ::= body");
        _pos += 3;
        SkipSpace(newlineOk: true);
        var body = ParseAlternates(nested: false);
        if (_pos < _s.Length)
        {
            if (_s[_pos] == '\r') _pos += _pos + 1 < _s.Length && _s[_pos + 1] == '\n' ? 2 : 1;
            else if (_s[_pos] == '\n') _pos++;
            else throw Error($"Unexpected '{Describe(_pos)}' in rule '{name}'; expected a literal, [class], rule name, '(', '|' or the end of the line");
        }
        SkipSpace(newlineOk: true);
        return new GrammarRule(name, body, line, col);
    }

    GrammarExpr ParseAlternates(bool nested)
    {
        var (line, col) = Where(_pos);
        var alts = new List<GrammarExpr> { ParseSequence(nested) };
        while (_pos < _s.Length && _s[_pos] == '|')
        {
            _pos++;
            SkipSpace(newlineOk: true);
            alts.Add(ParseSequence(nested));
        }
        return alts.Count == 1 ? alts[0] : new GrammarChoice(alts) { Line = line, Column = col };
    }

    GrammarExpr ParseSequence(bool nested)
    {
        var (line, col) = Where(_pos);
        var items = new List<GrammarExpr>();
        while (_pos < _s.Length)
        {
            var (l, c) = Where(_pos);
            var ch = _s[_pos];
            if (ch == '"')
            {
                _pos++;
                var cps = new List<int>();
                while (true)
                {
                    if (_pos >= _s.Length) throw Error("Unterminated string literal; close it with '\"'", l, c);
                    if (_s[_pos] == '"') { _pos++; break; }
                    cps.Add(ParseChar());
                }
                items.Add(new GrammarLiteral(cps.ToArray()) { Line = l, Column = c });
            }
            else if (ch == '[')
            {
                _pos++;
                var negated = false;
                if (_pos < _s.Length && _s[_pos] == '^') { negated = true; _pos++; }
                var ranges = new List<(int, int)>();
                while (true)
                {
                    if (_pos >= _s.Length) throw Error("Unterminated character class; close it with ']'", l, c);
                    if (_s[_pos] == ']') { _pos++; break; }
                    var lo = ParseChar();
                    var hi = lo;
                    if (_pos + 1 < _s.Length && _s[_pos] == '-' && _s[_pos + 1] != ']')
                    {
                        _pos++;
                        var (rl, rc) = Where(_pos);
                        hi = ParseChar();
                        if (hi < lo) throw Error($"Character range is backwards (U+{lo:X4} > U+{hi:X4}); write the smaller end first", rl, rc);
                    }
                    ranges.Add((lo, hi));
                }
                items.Add(new GrammarCharClass(ranges, negated) { Line = l, Column = c });
            }
            else if (IsNameChar(ch))
            {
                items.Add(new GrammarRuleRef(ParseName("a rule name")) { Line = l, Column = c });
            }
            else if (ch == '(')
            {
                _pos++;
                SkipSpace(newlineOk: true);
                var inner = ParseAlternates(nested: true);
                if (_pos >= _s.Length || _s[_pos] != ')') throw Error("Expected ')' to close the group opened", l, c);
                _pos++;
                items.Add(inner);
            }
            else if (ch == '.')
            {
                _pos++;
                items.Add(new GrammarCharClass([], true) { Line = l, Column = c });
            }
            else if (ch is '*' or '+' or '?' or '{')
            {
                if (items.Count == 0) throw Error($"'{ch}' must follow an item to repeat (a literal, class, rule name or group)");
                var (min, max) = ParseRepetition();
                items[^1] = new GrammarRepeat(items[^1], min, max) { Line = l, Column = c };
            }
            else if (ch == '<')
                throw Error("Token references (<...>) are not supported; write the token's text as a literal");
            else break;
            SkipSpace(newlineOk: nested);
        }
        return items.Count == 1 ? items[0] : new GrammarSequence(items) { Line = line, Column = col };
    }

    (int Min, int? Max) ParseRepetition()
    {
        var ch = _s[_pos++];
        switch (ch)
        {
            case '*': return (0, null);
            case '+': return (1, null);
            case '?': return (0, 1);
        }
        SkipSpace(newlineOk: false);
        var min = ParseInt() ?? 0;
        int? max = min;
        SkipSpace(newlineOk: false);
        if (_pos < _s.Length && _s[_pos] == ',')
        {
            _pos++;
            SkipSpace(newlineOk: false);
            max = ParseInt();
            SkipSpace(newlineOk: false);
        }
        if (_pos >= _s.Length || _s[_pos] != '}') throw Error("Expected '}' to close the repetition {m,n}");
        _pos++;
        if (min > MaxRepetition || max > MaxRepetition)
            throw Error($"Repetition bound above {MaxRepetition}; use '*' or '+' for long runs");
        if (max < min) throw Error($"Repetition {{{min},{max}}} has its maximum below its minimum");
        return (min, max);
    }

    int? ParseInt()
    {
        var start = _pos;
        while (_pos < _s.Length && char.IsAsciiDigit(_s[_pos])) _pos++;
        if (_pos == start) return null;
        if (!int.TryParse(_s.AsSpan(start, _pos - start), NumberStyles.None, CultureInfo.InvariantCulture, out var v)
            || v > MaxRepetition)
            throw Error($"Repetition bound above {MaxRepetition}; use '*' or '+' for long runs", Where(start).Line, Where(start).Col);
        return v;
    }

    /// <summary>One code point of a literal or class, decoding escapes the way llama.cpp's parse_char does.</summary>
    int ParseChar()
    {
        var (l, c) = Where(_pos);
        if (_s[_pos] == '\\')
        {
            if (_pos + 1 >= _s.Length) throw Error("Escape '\\' at the end of the grammar", l, c);
            var e = _s[_pos + 1];
            _pos += 2;
            switch (e)
            {
                case 'x': return ParseHex(2, l, c);
                case 'u': return ParseHex(4, l, c);
                case 'U': return ParseHex(8, l, c);
                case 't': return '\t';
                case 'r': return '\r';
                case 'n': return '\n';
                case '\\' or '"' or '[' or ']' or '-' or '^': return e;
                default:
                    throw Error($"Unknown escape '\\{e}'; GBNF knows \\x.. \\u.... \\U........ \\t \\r \\n \\\\ \\\" \\[ \\] \\-", l, c);
            }
        }
        if (char.IsHighSurrogate(_s[_pos]) && _pos + 1 < _s.Length && char.IsLowSurrogate(_s[_pos + 1]))
        {
            var cp = char.ConvertToUtf32(_s[_pos], _s[_pos + 1]);
            _pos += 2;
            return cp;
        }
        return _s[_pos++];
    }

    int ParseHex(int digits, int l, int c)
    {
        var v = 0;
        for (var i = 0; i < digits; i++)
        {
            if (_pos >= _s.Length || !char.IsAsciiHexDigit(_s[_pos]))
                throw Error($"Expected {digits} hex digits in the escape", l, c);
            v = v * 16 + Convert.ToInt32(_s[_pos].ToString(), 16);
            _pos++;
        }
        if ((uint)v > 0x10FFFF) throw Error($"Escape U+{v:X} is beyond the last Unicode code point U+10FFFF", l, c);
        return v;
    }

    string ParseName(string what)
    {
        var start = _pos;
        while (_pos < _s.Length && IsNameChar(_s[_pos])) _pos++;
        if (_pos == start)
            throw Error(_pos < _s.Length ? $"Expected {what} but found '{Describe(_pos)}'" : $"Expected {what} but the grammar ended");
        return _s[start.._pos];
    }

    static bool IsNameChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '-' || c == '_';

    void SkipSpace(bool newlineOk)
    {
        while (_pos < _s.Length)
        {
            var c = _s[_pos];
            if (c is ' ' or '\t') _pos++;
            else if (c == '#')
                while (_pos < _s.Length && _s[_pos] is not ('\n' or '\r')) _pos++;
            else if (newlineOk && c is '\n' or '\r') _pos++;
            else break;
        }
    }

    string Describe(int pos) => _s[pos] switch { '\n' => "\\n", '\r' => "\\r", '\t' => "\\t", var ch => ch.ToString() };

    (int Line, int Col) Where(int pos)
    {
        var i = _lineStarts.BinarySearch(pos);
        if (i < 0) i = ~i - 1;
        return (i + 1, pos - _lineStarts[i] + 1);
    }

    GrammarException Error(string message) { var (l, c) = Where(_pos); return new GrammarException(message, l, c); }

    static GrammarException Error(string message, int line, int col) => new(message, line, col);
}
