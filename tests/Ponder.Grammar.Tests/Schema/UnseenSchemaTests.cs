using Ponder.Grammars.Schema;
using Xunit.Abstractions;

namespace Ponder.Grammars.Tests.Schema;

/// <summary>
/// Schemas of the kinds collected in JSONSchemaBench (GitHub, Kubernetes, JSON Schema Store, Snowplow,
/// function calling), written for these tests and kept out of the benchmark corpus: the converter was not
/// tuned on them. At least 95% must convert, and what their grammars produce must validate.
/// </summary>
public class UnseenSchemaTests(ITestOutputHelper output)
{
    static readonly GrammarCompiler Compiler = new();

    static readonly string Dir = Path.Combine(Path.GetDirectoryName(SchemaCorpus.Directory)!, "SchemasUnseen");

    public static IEnumerable<object[]> Files() =>
        Directory.GetFiles(Dir, "*.json").Order(StringComparer.Ordinal).Select(f => new object[] { Path.GetFileName(f) });

    static string Read(string file) => File.ReadAllText(Path.Combine(Dir, file));

    [Fact]
    public void At_least_95_percent_convert()
    {
        var files = Files().Select(f => (string)f[0]).ToList();
        Assert.True(files.Count >= 15);
        var refused = new List<string>();
        foreach (var f in files)
        {
            try { JsonSchemaToGbnf.Convert(Read(f)); }
            catch (JsonSchemaException e) { refused.Add($"{f}: {e.Message}"); }
        }
        foreach (var r in refused) output.WriteLine(r);
        Assert.True(refused.Count * 20 <= files.Count, string.Join("\n", refused));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Drawn_strings_validate(string file)
    {
        var schemaJson = Read(file);
        string gbnf;
        try { gbnf = JsonSchemaToGbnf.Convert(schemaJson); }
        catch (JsonSchemaException) { return; } // counted by At_least_95_percent_convert
        SchemaOutputChecks.AssertDrawsValidate(file, SchemaValidation.Load(schemaJson), gbnf);
    }

    /// <summary>Random walks over Qwen2.5's token masks, as a random-weight model would sample.</summary>
    [Theory]
    [MemberData(nameof(Files))]
    public void Token_walks_validate(string file)
    {
        var schemaJson = Read(file);
        string gbnf;
        try { gbnf = JsonSchemaToGbnf.Convert(schemaJson); }
        catch (JsonSchemaException) { return; }
        var tok = TestTokenizers.Qwen;
        var compiled = Compiler.Compile(gbnf, tok);
        output.WriteLine($"{file}: compile {compiled.CompileTime.TotalMilliseconds:0} ms, {compiled.StateCount} states");
        SchemaOutputChecks.AssertTokenWalksValidate(file, SchemaValidation.Load(schemaJson), compiled, 3);
    }
}
