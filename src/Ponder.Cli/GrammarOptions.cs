using System.CommandLine;
using Ponder.Grammars;
using Ponder.Grammars.Patterns;
using Ponder.Grammars.Schema;

namespace Ponder.Cli;

/// <summary>
/// The output-constraint flags (<c>--grammar FILE.gbnf</c>, <c>--json-schema FILE.json</c>, <c>--regex R</c>), at most
/// one of them, and their compilation for a tokenizer. Bad input surfaces as the library's typed errors
/// (<see cref="GrammarException"/>, <see cref="JsonSchemaException"/>, <see cref="RegexPatternException"/>), which the
/// CLI reports as one line and exit code 2.
/// </summary>
public sealed class GrammarOptions
{
    public Option<string?> GrammarFile { get; } = new("--grammar") { Description = "Constrain the output to a GBNF grammar (llama.cpp syntax) read from FILE" };
    public Option<string?> JsonSchemaFile { get; } = new("--json-schema") { Description = "Constrain the output to JSON that validates against the JSON Schema in FILE" };
    public Option<string?> Regex { get; } = new("--regex") { Description = "Constrain the output to text the regular expression matches in full" };

    public void AddTo(Command c)
    {
        c.Options.Add(GrammarFile);
        c.Options.Add(JsonSchemaFile);
        c.Options.Add(Regex);
    }

    /// <summary>The constraint the flags describe, as GBNF plus a short label for messages; null when none is given.</summary>
    public (string Gbnf, string Label)? ReadGbnf(ParseResult r)
    {
        int given = 0;
        foreach (var o in new[] { GrammarFile, JsonSchemaFile, Regex })
            if (r.GetValue(o) != null) given++;
        if (given > 1) throw new ArgumentException("--grammar, --json-schema and --regex are mutually exclusive; give one of them");
        if (r.GetValue(GrammarFile) is { } g) return (ReadFile(g, "grammar"), $"grammar {Path.GetFileName(g)}");
        if (r.GetValue(JsonSchemaFile) is { } s) return (JsonSchemaToGbnf.Convert(ReadFile(s, "JSON Schema")), $"JSON Schema {Path.GetFileName(s)}");
        if (r.GetValue(Regex) is { } re) return (RegexToGbnf.Convert(re), $"regex /{re}/");
        return null;
    }

    static string ReadFile(string path, string what) =>
        File.Exists(path) ? File.ReadAllText(path) : throw new FileNotFoundException($"{what} file not found: {path}");
}
