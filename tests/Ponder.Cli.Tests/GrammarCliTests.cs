using System.Text.Json;
using System.Text.RegularExpressions;
using Ponder.Grammars.Tests.Schema;

namespace Ponder.Cli.Tests;

/// <summary><c>ponder generate --json-schema | --grammar | --regex</c> on the random-weight tiny Qwen2 model: outputs
/// are complete and validate (NJsonSchema judges); bad constraints are one-line errors with exit code 2.</summary>
public class GrammarCliTests
{
    static readonly string Model = Ponder.Repo("testdata/models/tiny-qwen2-q8_0.gguf");

    static (string Text, string Finish) Generate(params string[] extra)
    {
        var (code, output, err) = Ponder.RunWithOutput(["generate", "-m", Model, "-t", "1", "-p", "Reply in JSON:", "--json", .. extra]);
        Assert.True(code == 0, err);
        var doc = JsonDocument.Parse(output).RootElement;
        return (doc.GetProperty("text").GetString()!, doc.GetProperty("finish_reason").GetString()!);
    }

    /// <summary>Property-style: schemas of every shape in the corpus × seeds, sampled at temperature 1.</summary>
    [Theory]
    [InlineData("person.json")]
    [InlineData("invoice.json")]
    [InlineData("k8s-deployment.json")]
    [InlineData("github-workflow.json")]
    [InlineData("tree-recursive.json")]
    [InlineData("user-profile-allof.json")]
    [InlineData("json-patch.json")]
    [InlineData("function-call-multi.json")]
    public void Json_schema_outputs_validate(string file)
    {
        var schemaJson = SchemaCorpus.Read(file);
        var validator = SchemaValidation.Load(schemaJson);
        foreach (var (seed, temp) in new[] { ("1", "1"), ("2", "0.7"), ("0", "0") })
        {
            var (text, finish) = Generate("--json-schema", Path.Combine(SchemaCorpus.Directory, file), "--temp", temp, "--seed", seed);
            Assert.Equal("stop", finish);
            var errors = SchemaValidation.Errors(validator, text);
            Assert.True(errors.Count == 0, $"{file} seed {seed}\noutput: {text}\nerrors: {string.Join("; ", errors)}");
        }
    }

    [Fact]
    public void A_small_token_limit_still_ends_with_a_complete_value()
    {
        var file = "invoice.json";
        var (text, finish) = Generate("--json-schema", Path.Combine(SchemaCorpus.Directory, file), "-n", "200", "--temp", "1", "--seed", "5");
        Assert.Equal("stop", finish);
        Assert.Empty(SchemaValidation.Errors(SchemaValidation.Load(SchemaCorpus.Read(file)), text));
    }

    [Fact]
    public void Regex_and_grammar_outputs_match()
    {
        var (text, finish) = Generate("--regex", "[A-Z]{3}-[0-9]{2,4}", "--temp", "1", "--seed", "4");
        Assert.Equal("stop", finish);
        Assert.Matches(new Regex("^[A-Z]{3}-[0-9]{2,4}$"), text);

        using var d = new TempDir();
        File.WriteAllText(d.File("g.gbnf"), "root ::= \"(\" item (\",\" item)* \")\"\nitem ::= [a-c]+\n");
        (text, finish) = Generate("--grammar", d.File("g.gbnf"), "--temp", "1", "--seed", "8", "-n", "60");
        Assert.Equal("stop", finish);
        Assert.Matches(new Regex("^\\([a-c]+(,[a-c]+)*\\)$"), text);
    }

    static void AssertOneLineError(string[] args, params string[] contains)
    {
        var (code, err) = Ponder.Run(["generate", "-m", Model, "-t", "1", "-p", "x", .. args]);
        Assert.Equal(2, code);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        foreach (var c in contains) Assert.Contains(c, lines[0]);
    }

    [Fact]
    public void Bad_constraints_are_one_line_errors_with_exit_2()
    {
        using var d = new TempDir();
        File.WriteAllText(d.File("not.json"), """{"type":"object","properties":{"a":{"not":{}}}}""");
        AssertOneLineError(["--json-schema", d.File("not.json")], "'not'", "#/properties/a/not");
        File.WriteAllText(d.File("broken.json"), "{\"type\": ");
        AssertOneLineError(["--json-schema", d.File("broken.json")], "not valid JSON");
        File.WriteAllText(d.File("bad.gbnf"), "root ::= item\n");
        AssertOneLineError(["--grammar", d.File("bad.gbnf")], "item");
        File.WriteAllText(d.File("syntax.gbnf"), "root ::= (\"a\"\n");
        AssertOneLineError(["--grammar", d.File("syntax.gbnf")], "line");
        AssertOneLineError(["--regex", "a(?=b)"], "offset");
        AssertOneLineError(["--json-schema", d.File("missing.json")], "not found");
        AssertOneLineError(["--regex", "a", "--grammar", d.File("bad.gbnf")], "mutually exclusive");
    }
}
