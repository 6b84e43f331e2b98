using Ponder.Grammars.Schema;
using Xunit.Abstractions;

namespace Ponder.Grammars.Tests.Schema;

public class ConverterSmokeTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData("""{"type":"object","properties":{"name":{"type":"string","minLength":1,"maxLength":8},"age":{"type":"integer","minimum":0,"maximum":120},"tags":{"type":"array","items":{"enum":["a","b"]},"maxItems":3},"email":{"type":"string","format":"email"}},"required":["name"]}""")]
    [InlineData("""{"type":"number","exclusiveMinimum":0,"maximum":10}""")]
    [InlineData("""{"type":"string","pattern":"^[A-Z]{2}-\\d{3}$"}""")]
    [InlineData("""{"type":"object","additionalProperties":{"type":"integer"},"properties":{"a":{"type":"string"}}}""")]
    public void Samples_validate(string schemaJson)
    {
        var gbnf = JsonSchemaToGbnf.Convert(schemaJson);
        output.WriteLine(gbnf);
        var grammar = Grammar.Parse(gbnf);
        var schema = SchemaValidation.Load(schemaJson);
        var sampler = new GrammarSampler(grammar, 1);
        for (int i = 0; i < 200; i++)
        {
            var text = sampler.Sample();
            if (i < 5) output.WriteLine(text);
            var errors = SchemaValidation.Errors(schema, text);
            Assert.True(errors.Count == 0, $"{text}\n{string.Join("\n", errors)}");
        }
    }
}
