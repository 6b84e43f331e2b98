using Ponder.Grammars.Schema;

namespace Ponder.Grammars.Tests.Schema;

/// <summary>Bad schemas fail with a JsonSchemaException that names the keyword and its JSON pointer.</summary>
public class JsonSchemaErrorTests
{
    [Theory]
    [InlineData("""{"type":"object","properties":{"a":{"not":{"type":"string"}}}}""", "not", "#/properties/a/not")]
    [InlineData("""{"if":{"type":"string"},"then":{"minLength":1}}""", "if", "#/if")]
    [InlineData("""{"type":"object","dependentSchemas":{"a":{}}}""", "dependentSchemas", "#/dependentSchemas")]
    [InlineData("""{"type":"object","properties":{"a":{}},"patternProperties":{"^x":{}}}""", "patternProperties", "#/patternProperties")]
    [InlineData("""{"type":"array","items":{"type":"integer"},"uniqueItems":true}""", "uniqueItems", "#/uniqueItems")]
    [InlineData("""{"type":"number","multipleOf":0.5}""", "multipleOf", "#/multipleOf")]
    [InlineData("""{"type":"array","contains":{"type":"integer"}}""", "contains", "#/contains")]
    [InlineData("""{"type":"object","properties":{"a b":{"propertyNames":{}}}}""", "propertyNames", "#/properties/a b/propertyNames")]
    [InlineData("""{"anyOf":[{"type":"string"},{"type":"array","items":{"$dynamicRef":"#x"}}]}""", "$dynamicRef", "#/anyOf/1/items/$dynamicRef")]
    [InlineData("""{"type":"object","properties":{"a/b":{"not":{}}}}""", "not", "#/properties/a~1b/not")]
    public void Unsupported_keywords(string schema, string keyword, string pointer) => AssertError(schema, keyword, pointer);

    [Theory]
    [InlineData("""{"type":"array","minItems":3,"maxItems":2}""", "minItems", "#/minItems")]
    [InlineData("""{"type":"string","minLength":5,"maxLength":2}""", "minLength", "#/minLength")]
    [InlineData("""{"type":"integer","minimum":10,"maximum":2}""", "minimum", "#/minimum")]
    [InlineData("""{"type":"integer","exclusiveMinimum":1,"exclusiveMaximum":2}""", "exclusiveMinimum", "#/exclusiveMinimum")]
    [InlineData("""{"properties":{"e":{"enum":[]}}}""", "enum", "#/properties/e/enum")]
    [InlineData("""{"type":"string","enum":[1,2]}""", "enum", "#/enum")]
    [InlineData("""{"type":"object","required":["x"],"additionalProperties":false}""", "required", "#/required")]
    [InlineData("""{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"],"maxProperties":0}""", "maxProperties", "#/maxProperties")]
    [InlineData("""{"type":"array","items":[{"type":"integer"}],"additionalItems":false,"minItems":2}""", "minItems", "#/minItems")]
    [InlineData("""{"type":"string","pattern":"^a$","minLength":2}""", "pattern", "#/pattern")]
    [InlineData("""{"allOf":[{"type":"string"},{"type":"integer"}]}""", "allOf", "#")]
    [InlineData("""{"type":"number","minimum":0.2,"maximum":0.8}""", "minimum", "#/minimum")]
    public void Unsatisfiable_or_inexpressible(string schema, string keyword, string pointer) => AssertError(schema, keyword, pointer);

    [Theory]
    [InlineData("""{"type":"string","pattern":"(a)\\1"}""", "backreferences")]
    [InlineData("""{"type":"string","pattern":"a(?=b)"}""", "lookahead")]
    [InlineData("""{"type":"string","pattern":"(?<!a)b"}""", "lookbehind")]
    [InlineData("""{"type":"string","pattern":"\\bword"}""", "word boundary")]
    [InlineData("""{"type":"string","pattern":"a^b"}""", "anchors")]
    [InlineData("""{"type":"string","pattern":"(ab"}""", "missing ')'")]
    public void Unsupported_patterns_name_the_pattern_keyword(string schema, string problem)
    {
        var e = AssertError(schema, "pattern", "#/pattern");
        Assert.Contains(problem, e.Message);
    }

    [Theory]
    [InlineData("""{"$ref":"#/definitions/missing"}""", "#/$ref")]
    [InlineData("""{"$ref":"other.json#/a"}""", "#/$ref")]
    [InlineData("""{"definitions":{"a":{"$ref":"#/definitions/b"},"b":{"$ref":"#/definitions/a"}},"$ref":"#/definitions/a"}""", "#/$ref")]
    public void Bad_references(string schema, string pointer) => AssertError(schema, "$ref", pointer);

    [Fact]
    public void Recursion_without_a_base_case_is_reported()
    {
        var e = Assert.Throws<JsonSchemaException>(() =>
            JsonSchemaToGbnf.Convert("""{"type":"object","properties":{"next":{"$ref":"#"}},"required":["next"]}"""));
        Assert.Contains("no finite value", e.Message);
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("""{"type":"strin"}""")]
    [InlineData("""{"type":"string","minLength":"3"}""")]
    [InlineData("false")]
    [InlineData("[1]")]
    public void Malformed_schemas(string schema) => Assert.Throws<JsonSchemaException>(() => JsonSchemaToGbnf.Convert(schema));

    private static JsonSchemaException AssertError(string schema, string keyword, string pointer)
    {
        var e = Assert.Throws<JsonSchemaException>(() => JsonSchemaToGbnf.Convert(schema));
        Assert.Equal(keyword, e.Keyword);
        Assert.Equal(pointer, e.Pointer);
        Assert.Contains(keyword, e.Message);
        Assert.Contains(pointer, e.Message);
        return e;
    }
}
