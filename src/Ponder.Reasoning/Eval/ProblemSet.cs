using System.Globalization;
using System.Text.Json;
using Ponder.Reasoning.Tasks.Arith;

namespace Ponder.Reasoning.Eval;

/// <summary>Where eval problems come from: the arith generator, or a GSM8K-style JSONL file.</summary>
public static class ProblemSet
{
    public static List<Problem> Arith(int count, ulong seed) =>
        new ArithGenerator(seed).Take(count).Select((p, i) => Problem.FromArith(p, $"arith-{seed}-{i}")).ToList();

    /// <summary>Lines <c>{"question": ..., "answer": ...}</c> (an optional "steps" or "difficulty" labels the problem).</summary>
    public static List<Problem> Jsonl(string path)
    {
        var list = new List<Problem>();
        int n = 0;
        string name = Path.GetFileNameWithoutExtension(path);
        foreach (var line in File.ReadLines(path))
        {
            n++;
            if (line.Trim().Length == 0) continue;
            try
            {
                using var doc = JsonDocument.Parse(line);
                var root = doc.RootElement;
                if (!root.TryGetProperty("question", out var q) || q.ValueKind != JsonValueKind.String)
                    throw new FormatException($"{path}:{n}: no \"question\" string");
                string? answer = root.TryGetProperty("answer", out var a) ? (a.ValueKind == JsonValueKind.String ? a.GetString() : a.GetRawText()) : null;
                // GSM8K's answer field holds the worked solution ending in "#### n".
                if (answer != null && answer.Contains("####", StringComparison.Ordinal)) answer = answer[(answer.LastIndexOf("####", StringComparison.Ordinal) + 4)..];
                var p = Problem.FromQuestion(q.GetString()!, answer, $"{name}:{n.ToString(CultureInfo.InvariantCulture)}");
                int? k = root.TryGetProperty("steps", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt32()
                    : root.TryGetProperty("difficulty", out var d) && d.ValueKind == JsonValueKind.Number ? d.GetInt32() : p.Difficulty;
                list.Add(p with { Difficulty = k });
            }
            catch (JsonException e)
            {
                throw new FormatException($"{path}:{n}: not a JSON object: {e.Message}");
            }
        }
        if (list.Count == 0) throw new FormatException($"{path}: no problems");
        return list;
    }
}
