using System.Globalization;
using System.Text;
using System.Text.Json;


namespace Ponder.Reasoning.Tasks.Arith;

/// <summary>Problems as JSONL lines <c>{"question": "37+48-19*3", "answer": "198", "steps": 3}</c>
/// (the answer is a string, as in GSM8K-style files, so other task families share the reader).</summary>
public static class ArithJsonl
{
    /// <summary>The spec's exact spelling (spaces after ':' and ','). A question holds only digits
    /// and + - *, so no JSON escaping is needed (Utf8JsonWriter would escape '+' as \u002B).</summary>
    public static string ToLine(ArithProblem p) => string.Create(CultureInfo.InvariantCulture,
        $"{{\"question\": \"{p.Question}\", \"answer\": \"{p.Answer}\", \"steps\": {p.Steps}}}");

    public static void Write(string path, IEnumerable<ArithProblem> problems)
    {
        using var w = new StreamWriter(path, append: false, new UTF8Encoding(false));
        w.NewLine = "\n";
        foreach (var p in problems) w.WriteLine(ToLine(p));
    }

    /// <summary>Parses one line; the answer and step count must agree with the question.</summary>
    public static ArithProblem FromLine(string line, int lineNumber = 0)
    {
        string where = lineNumber > 0 ? $"line {lineNumber}: " : "";
        try
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            if (!root.TryGetProperty("question", out var q) || q.ValueKind != JsonValueKind.String)
                throw new FormatException($"{where}no \"question\" string");
            var p = ArithProblem.Parse(q.GetString()!);
            if (root.TryGetProperty("answer", out var a))
            {
                string s = a.ValueKind == JsonValueKind.String ? a.GetString()! : a.GetRawText();
                if (!long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long v) || v != p.Answer)
                    throw new FormatException($"{where}answer {s} does not match the question's value {p.Answer}");
            }
            if (root.TryGetProperty("steps", out var k) && (k.ValueKind != JsonValueKind.Number || k.GetInt32() != p.Steps))
                throw new FormatException($"{where}steps {k.GetRawText()} does not match the question's {p.Steps} operators");
            return p;
        }
        catch (JsonException e)
        {
            throw new FormatException($"{where}not a JSON object: {e.Message}");
        }
        catch (FormatException e) when (where.Length > 0 && !e.Message.StartsWith(where, StringComparison.Ordinal))
        {
            throw new FormatException(where + e.Message);
        }
    }

    public static List<ArithProblem> Read(string path)
    {
        var list = new List<ArithProblem>();
        int n = 0;
        foreach (var line in File.ReadLines(path))
        {
            n++;
            if (line.Trim().Length == 0) continue;
            list.Add(FromLine(line, n));
        }
        return list;
    }
}
