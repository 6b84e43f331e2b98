using System.Globalization;
using System.Text;

namespace Ponder.Server.Templates;

/// <summary>Where a template went wrong: the message says what and at which line.</summary>
public sealed class TemplateException(string message) : Exception(message);

/// <summary>A <c>raise_exception(...)</c> called by the template itself: the conversation is not one
/// the model's format accepts (for example roles that do not alternate). A client error, not a bug.</summary>
public sealed class TemplateRaisedException(string message) : Exception(message);

enum Tk { Text, Name, String, Int, Float, Op, ExprStart, ExprEnd, StmtStart, StmtEnd, Eof }

readonly record struct Token(Tk Kind, string Value, int Line);

/// <summary>
/// Splits a template into text, <c>{{ }}</c>, <c>{% %}</c> and <c>{# #}</c> with Jinja's whitespace
/// control (<c>-</c> trims, <c>+</c> keeps) and the two options Hugging Face renders chat templates with,
/// <c>trim_blocks</c> (drop the newline after a block tag) and <c>lstrip_blocks</c> (drop indentation
/// before a block tag), so that templates render byte for byte as in <c>transformers</c>.
/// </summary>
static class TemplateLexer
{
    public static List<Token> Lex(string src)
    {
        var tokens = new List<Token>();
        int i = 0, line = 1;
        bool trimNextText = false; // "-%}" / "-}}" / "-#}": strip leading whitespace of the next text
        bool trimBlockNewline = false; // trim_blocks: a block tag ends; drop one newline
        while (i < src.Length)
        {
            int open = FindOpen(src, i);
            int textEnd = open < 0 ? src.Length : open;
            string text = src[i..textEnd];
            if (trimNextText) text = text.TrimStart();
            else if (trimBlockNewline)
            {
                if (text.StartsWith("\r\n")) text = text[2..];
                else if (text.StartsWith('\n')) text = text[1..];
            }
            trimNextText = trimBlockNewline = false;
            if (open >= 0)
            {
                char kind = src[open + 1];
                char mod = open + 2 < src.Length ? src[open + 2] : '\0';
                if (mod == '-') text = text.TrimEnd();
                else if (kind != '{' && mod != '+')
                {
                    // lstrip_blocks: whitespace from the line start to a block or comment tag goes.
                    int b = open;
                    while (b > 0 && src[b - 1] is ' ' or '\t') b--;
                    if (b == 0 || src[b - 1] == '\n')
                    {
                        int k = text.Length;
                        while (k > 0 && text[k - 1] is ' ' or '\t') k--;
                        text = text[..k];
                    }
                }
            }
            if (text.Length > 0) tokens.Add(new Token(Tk.Text, text, line));
            line += Count(src, i, textEnd);
            if (open < 0) break;

            char type = src[open + 1];
            int p = open + 2;
            if (p < src.Length && src[p] is '-' or '+') p++;
            if (type == '#')
            {
                int close = src.IndexOf("#}", p, StringComparison.Ordinal);
                if (close < 0) throw new TemplateException($"line {line}: comment is not closed with #}}");
                trimNextText = src[close - 1] == '-';
                trimBlockNewline = !trimNextText;
                line += Count(src, open, close + 2);
                i = close + 2;
                continue;
            }
            if (type == '%' && IsRawStart(src, p, out int rawBodyStart))
            {
                int end = src.IndexOf("endraw", rawBodyStart, StringComparison.Ordinal);
                int tagStart = end < 0 ? -1 : src.LastIndexOf("{%", end, StringComparison.Ordinal);
                int tagEnd = end < 0 ? -1 : src.IndexOf("%}", end, StringComparison.Ordinal);
                if (tagStart < 0 || tagEnd < 0) throw new TemplateException($"line {line}: raw block is not closed with {{% endraw %}}");
                tokens.Add(new Token(Tk.Text, src[rawBodyStart..tagStart], line));
                line += Count(src, open, tagEnd + 2);
                i = tagEnd + 2;
                continue;
            }
            tokens.Add(new Token(type == '{' ? Tk.ExprStart : Tk.StmtStart, "", line));
            string closer = type == '{' ? "}}" : "%}";
            i = LexInside(src, p, closer, tokens, ref line);
            // i points at the closer; a '-' before it was consumed as an operator if present: handle here.
            bool minus = tokens[^1].Kind == Tk.Op && tokens[^1].Value == "-" && src[i - 1] == '-';
            if (minus) tokens.RemoveAt(tokens.Count - 1);
            tokens.Add(new Token(type == '{' ? Tk.ExprEnd : Tk.StmtEnd, "", line));
            trimNextText = minus;
            trimBlockNewline = !minus && type == '%';
            i += 2;
        }
        tokens.Add(new Token(Tk.Eof, "", line));
        return tokens;
    }

    static bool IsRawStart(string src, int p, out int bodyStart)
    {
        bodyStart = 0;
        int q = p;
        while (q < src.Length && char.IsWhiteSpace(src[q])) q++;
        if (string.CompareOrdinal(src, q, "raw", 0, 3) != 0) return false;
        q += 3;
        while (q < src.Length && (char.IsWhiteSpace(src[q]) || src[q] == '-')) q++;
        if (string.CompareOrdinal(src, q, "%}", 0, 2) != 0) return false;
        bodyStart = q + 2;
        return true;
    }

    static int FindOpen(string s, int from)
    {
        for (int j = from; j < s.Length - 1; j++)
            if (s[j] == '{' && s[j + 1] is '{' or '%' or '#') return j;
        return -1;
    }

    static int Count(string s, int from, int to)
    {
        int n = 0;
        for (int j = from; j < to && j < s.Length; j++) if (s[j] == '\n') n++;
        return n;
    }

    static readonly string[] Ops = ["**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "<", ">", "(", ")", "[", "]", "{", "}", ",", ".", ":", "|", "="];

    static int LexInside(string s, int i, string closer, List<Token> tokens, ref int line)
    {
        int braces = 0; // "{{ {'a': {'b': 1}} }}": a '}}' inside a dict literal does not close the tag
        while (true)
        {
            if (i >= s.Length) throw new TemplateException($"line {line}: tag is not closed with {closer}");
            char c = s[i];
            if (c == '\n') { line++; i++; continue; }
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (braces == 0 && string.CompareOrdinal(s, i, closer, 0, 2) == 0) return i;
            if (c == '{') braces++;
            else if (c == '}' && braces > 0) braces--;
            if ((c == '-' || c == '+') && string.CompareOrdinal(s, i + 1, closer, 0, 2) == 0)
            {
                if (c == '-') tokens.Add(new Token(Tk.Op, "-", line));
                i++;
                return i;
            }
            if (c == '\'' || c == '"')
            {
                var sb = new StringBuilder();
                int j = i + 1;
                while (true)
                {
                    if (j >= s.Length) throw new TemplateException($"line {line}: string is not closed");
                    char d = s[j];
                    if (d == c) break;
                    if (d == '\\' && j + 1 < s.Length)
                    {
                        char e = s[++j];
                        switch (e)
                        {
                            case 'n': sb.Append('\n'); break;
                            case 't': sb.Append('\t'); break;
                            case 'r': sb.Append('\r'); break;
                            case '\\' or '\'' or '"': sb.Append(e); break;
                            default: sb.Append('\\').Append(e); break;
                        }
                    }
                    else sb.Append(d);
                    if (d == '\n') line++;
                    j++;
                }
                tokens.Add(new Token(Tk.String, sb.ToString(), line));
                i = j + 1;
                continue;
            }
            if (char.IsDigit(c))
            {
                int j = i;
                while (j < s.Length && (char.IsDigit(s[j]) || s[j] == '_')) j++;
                bool isFloat = false;
                if (j + 1 < s.Length && s[j] == '.' && char.IsDigit(s[j + 1]))
                {
                    isFloat = true;
                    j++;
                    while (j < s.Length && char.IsDigit(s[j])) j++;
                }
                tokens.Add(new Token(isFloat ? Tk.Float : Tk.Int, s[i..j].Replace("_", ""), line));
                i = j;
                continue;
            }
            if (char.IsLetter(c) || c == '_')
            {
                int j = i;
                while (j < s.Length && (char.IsLetterOrDigit(s[j]) || s[j] == '_')) j++;
                tokens.Add(new Token(Tk.Name, s[i..j], line));
                i = j;
                continue;
            }
            string? op = null;
            foreach (var o in Ops)
                if (string.CompareOrdinal(s, i, o, 0, o.Length) == 0) { op = o; break; }
            if (op == null) throw new TemplateException($"line {line}: unexpected character '{c}'");
            tokens.Add(new Token(Tk.Op, op, line));
            i += op.Length;
        }
    }

    internal static string Describe(Token t) => t.Kind switch
    {
        Tk.Eof => "end of template",
        Tk.ExprEnd => "}}",
        Tk.StmtEnd => "%}",
        Tk.String => $"'{t.Value}'",
        _ => t.Value.ToString(CultureInfo.InvariantCulture),
    };
}
