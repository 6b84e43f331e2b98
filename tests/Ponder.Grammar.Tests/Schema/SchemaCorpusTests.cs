using Ponder.Grammars.Schema;
using Xunit.Abstractions;

namespace Ponder.Grammars.Tests.Schema;

/// <summary>The realistic schema corpus: each converts, and whatever its grammar produces validates.</summary>
public class SchemaCorpusTests(ITestOutputHelper output)
{
    static readonly GrammarCompiler Compiler = new();

    [Fact]
    public void Corpus_has_at_least_twenty_schemas() => Assert.True(SchemaCorpus.Files().Count() >= 20);

    [Theory]
    [MemberData(nameof(SchemaCorpus.Files), MemberType = typeof(SchemaCorpus))]
    public void Drawn_strings_validate(string file)
    {
        var schemaJson = SchemaCorpus.Read(file);
        var gbnf = JsonSchemaToGbnf.Convert(schemaJson);
        SchemaOutputChecks.AssertDrawsValidate(file, SchemaValidation.Load(schemaJson), gbnf);
    }

    /// <summary>
    /// Random walks through the matcher's token masks over Qwen2.5's vocabulary, as a random-weight
    /// model would sample: every finished walk must be valid JSON that validates.
    /// </summary>
    [Theory]
    [MemberData(nameof(SchemaCorpus.Files), MemberType = typeof(SchemaCorpus))]
    public void Token_walks_validate(string file)
    {
        var schemaJson = SchemaCorpus.Read(file);
        var tok = TestTokenizers.Qwen;
        var compiled = Compiler.Compile(JsonSchemaToGbnf.Convert(schemaJson), tok);
        output.WriteLine($"{file}: compile {compiled.CompileTime.TotalMilliseconds:0} ms, {compiled.StateCount} states");
        int finished = SchemaOutputChecks.AssertTokenWalksValidate(file, SchemaValidation.Load(schemaJson), compiled, 6);
        output.WriteLine($"{finished} of 6 walks finished");
    }
}
