using Ponder.Grammars.Schema;

namespace Ponder.Grammars.Tests.Schema;

/// <summary>One test per supported keyword: the grammar parses, accepts valid JSON and refuses invalid JSON.</summary>
public class JsonSchemaFeatureTests
{
    private static readonly JsonSchemaGbnfOptions Compact = new() { Whitespace = JsonWhitespace.Compact };

    private static void Check(string schema, string[] accepted, string[] rejected, JsonSchemaGbnfOptions? options = null)
    {
        var gbnf = JsonSchemaToGbnf.Convert(schema, options ?? Compact);
        Grammar.Parse(gbnf);
        foreach (var a in accepted) Assert.True(GrammarAcceptance.Accepts(gbnf, a), $"should accept {a}\n{gbnf}");
        foreach (var r in rejected) Assert.False(GrammarAcceptance.Accepts(gbnf, r), $"should reject {r}\n{gbnf}");
    }

    [Fact] public void Type_names() => Check("""{"type":"boolean"}""", ["true", "false"], ["null", "1", "\"true\""]);

    [Fact] public void Type_arrays() => Check("""{"type":["integer","null"]}""", ["3", "-7", "null"], ["1.5", "\"x\""]);

    [Fact] public void Any_json_from_empty_schema_and_true()
    {
        Check("{}", ["1", "\"a\"", "[1,{\"a\":null}]", "{\"x\":[true]}"], ["", "{", "nul"]);
        Check("true", ["null"], ["[1,]"]);
    }

    [Fact]
    public void Json_object_mode()
    {
        var gbnf = JsonSchemaToGbnf.AnyJsonObject(Compact);
        Assert.True(GrammarAcceptance.Accepts(gbnf, "{\"a\":[1,2],\"b\":{}}"));
        Assert.False(GrammarAcceptance.Accepts(gbnf, "[1]"));
        Assert.True(GrammarAcceptance.Accepts(JsonSchemaToGbnf.AnyJson(Compact), "[1]"));
    }

    [Fact]
    public void Required_first_then_any_ordered_subset_of_optional() =>
        Check("""{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"},"c":{"type":"integer"}},"required":["b"]}""",
            ["{\"b\":1}", "{\"b\":1,\"a\":2}", "{\"b\":1,\"c\":3}", "{\"b\":1,\"a\":2,\"c\":3}"],
            ["{}", "{\"a\":2}", "{\"b\":1,\"c\":3,\"a\":2}", "{\"b\":1,\"d\":4}", "{\"b\":1,\"b\":1}"]);

    [Fact]
    public void AdditionalProperties_schema_excludes_declared_keys() =>
        Check("""{"type":"object","properties":{"ab":{"type":"string"}},"additionalProperties":{"type":"integer"}}""",
            ["{}", "{\"ab\":\"x\"}", "{\"a\":1}", "{\"abc\":1}", "{\"ab\":\"x\",\"z\":2,\"y\":3}", "{\"\":0}"],
            ["{\"ab\":1}", "{\"z\":\"s\"}", "{\"ab\":\"x\",\"ab\":2}"]);

    [Fact]
    public void AdditionalProperties_default_is_strict_unless_asked()
    {
        const string schema = """{"type":"object","properties":{"a":{"type":"integer"}}}""";
        Check(schema, ["{\"a\":1}"], ["{\"b\":1}"]);
        Check(schema, ["{\"a\":1,\"b\":[true]}"], ["{\"a\":1,\"a\":2}"], Compact with { Strict = false });
        Check("""{"type":"object","additionalProperties":true}""", ["{\"q\":null}"], []);
    }

    [Fact]
    public void Min_and_max_properties_on_maps() =>
        Check("""{"type":"object","additionalProperties":{"type":"boolean"},"minProperties":1,"maxProperties":2}""",
            ["{\"a\":true}", "{\"a\":true,\"b\":false}"], ["{}", "{\"a\":true,\"b\":false,\"c\":true}"]);

    [Fact]
    public void Min_properties_one_above_required_needs_an_optional_property() =>
        Check("""{"type":"object","properties":{"a":{"type":"boolean"},"b":{"type":"boolean"}},"minProperties":1}""",
            ["{\"a\":true}", "{\"b\":false}", "{\"a\":true,\"b\":false}"], ["{}"]);

    [Fact]
    public void Pattern_properties_write_keys_from_the_pattern() =>
        Check("""{"type":"object","patternProperties":{"^[a-z][a-z0-9_]*$":{"type":"integer"}},"additionalProperties":false,"minProperties":1}""",
            ["{\"job_1\":3}", "{\"a\":1,\"b\":2}"], ["{}", "{\"1a\":3}", "{\"A\":3}", "{\"a\":\"x\"}"]);

    [Fact] public void Enum_and_const() => Check("""{"enum":["a",1,null,{"k":[true]}]}""", ["\"a\"", "1", "null", "{\"k\":[true]}"], ["\"b\"", "2"]);

    [Fact] public void Const_value() => Check("""{"const":"fixed"}""", ["\"fixed\""], ["\"other\""]);

    [Fact] public void Enum_values_are_filtered_by_type() => Check("""{"type":"string","enum":["a",1]}""", ["\"a\""], ["1"]);

    [Fact] public void AnyOf_and_oneOf_are_alternatives() =>
        Check("""{"anyOf":[{"type":"integer"},{"type":"string","maxLength":1}]}""", ["5", "\"x\""], ["\"xy\"", "true"]);

    [Fact]
    public void Keywords_beside_anyOf_apply_to_each_branch() =>
        Check("""{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}},"anyOf":[{"required":["a"]},{"required":["b"]}]}""",
            ["{\"a\":1}", "{\"b\":2}", "{\"a\":1,\"b\":2}"], ["{}"]);

    [Fact]
    public void AllOf_merges_properties_and_bounds() =>
        Check("""{"allOf":[{"type":"object","properties":{"n":{"type":"integer","minimum":0}},"required":["n"]},{"properties":{"n":{"maximum":9},"s":{"type":"string"}}}]}""",
            ["{\"n\":0}", "{\"n\":9,\"s\":\"x\"}"], ["{\"n\":10}", "{\"s\":\"x\"}"]);

    [Fact]
    public void Ref_to_defs_definitions_and_root_recursion()
    {
        Check("""{"$defs":{"p":{"type":"integer"}},"type":"array","items":{"$ref":"#/$defs/p"}}""", ["[1,2]"], ["[\"a\"]"]);
        Check("""{"definitions":{"p":{"type":"boolean"}},"$ref":"#/definitions/p"}""", ["true"], ["1"]);
        Check("""{"type":"object","properties":{"next":{"$ref":"#"}}}""", ["{}", "{\"next\":{\"next\":{}}}"], ["{\"next\":1}"]);
    }

    [Fact]
    public void Arrays_with_items_and_counts() =>
        Check("""{"type":"array","items":{"type":"integer"},"minItems":2,"maxItems":3}""", ["[1,2]", "[1,2,3]"], ["[1]", "[1,2,3,4]", "[1,\"a\"]"]);

    [Fact]
    public void PrefixItems_then_items()
    {
        Check("""{"type":"array","prefixItems":[{"type":"string"},{"type":"integer"}],"items":{"type":"boolean"}}""",
            ["[]", "[\"a\"]", "[\"a\",1]", "[\"a\",1,true,false]"], ["[1]", "[\"a\",1,2]"]);
        // Strict: prefixItems alone allows nothing after them; non-strict allows anything.
        Check("""{"type":"array","prefixItems":[{"type":"string"}]}""", ["[\"a\"]"], ["[\"a\",1]"]);
        Check("""{"type":"array","prefixItems":[{"type":"string"}]}""", ["[\"a\",1]"], [], Compact with { Strict = false });
        Check("""{"type":"array","items":[{"type":"integer"}],"additionalItems":false,"minItems":1}""", ["[1]"], ["[]", "[1,2]"]);
    }

    [Fact]
    public void String_lengths_count_characters() =>
        Check("""{"type":"string","minLength":2,"maxLength":3}""", ["\"ab\"", "\"abc\"", "\"é\\n\"", "\"\\u0041b\""], ["\"a\"", "\"abcd\"", "\"a😀\""]);

    [Fact]
    public void String_pattern_is_unanchored_unless_anchored()
    {
        Check("""{"type":"string","pattern":"ab"}""", ["\"ab\"", "\"xxaby\""], ["\"a\"", "\"ba\""]);
        Check("""{"type":"string","pattern":"^a[0-9]+$"}""", ["\"a1\"", "\"a123\""], ["\"xa1\"", "\"a\""]);
    }

    [Fact]
    public void String_pattern_characters_are_json_escaped() =>
        Check("""{"type":"string","pattern":"^[\"\\\\]\\n$"}""", ["\"\\\"\\n\"", "\"\\\\\\n\""], ["\"\"\"", "\"\\\"\n\""]);

    [Fact]
    public void Pattern_with_max_length_is_narrowed() =>
        Check("""{"type":"string","pattern":"^[a-z]+$","maxLength":3}""", ["\"a\"", "\"abc\""], ["\"abcd\"", "\"\""]);

    [Theory]
    [InlineData("date", "2024-02-28", "2024-02-30")]
    [InlineData("time", "23:59:59.123+05:30", "24:00:00Z")]
    [InlineData("date-time", "2024-12-31T08:00:00Z", "2024-12-31 08:00:00Z")]
    [InlineData("uuid", "123e4567-e89b-12d3-a456-426614174000", "123e4567e89b12d3a456426614174000")]
    [InlineData("email", "first.last@example.co", "no-at-sign.example.com")]
    [InlineData("uri", "https://example.com/a/b?q=1#f", "example.com")]
    [InlineData("hostname", "api.example.com", "-bad.example.com")]
    [InlineData("ipv4", "192.168.0.255", "256.1.1.1")]
    [InlineData("ipv6", "2001:db8:0:0:0:0:2:1", "2001:db8::1")]
    public void Formats(string format, string valid, string invalid) =>
        Check($$"""{"type":"string","format":"{{format}}"}""", [$"\"{valid}\""], [$"\"{invalid}\""]);

    [Fact] public void Unknown_formats_are_plain_strings() => Check("""{"type":"string","format":"x-custom"}""", ["\"anything\""], ["1"]);

    [Fact]
    public void Integer_ranges_are_exact() =>
        Check("""{"type":"integer","minimum":-15,"maximum":123}""", ["-15", "-1", "0", "9", "99", "123"], ["-16", "124", "-0", "007", "1.0"]);

    [Fact] public void Integer_exclusive_bounds() => Check("""{"type":"integer","exclusiveMinimum":0,"exclusiveMaximum":10}""", ["1", "9"], ["0", "10"]);

    [Fact] public void Integer_draft4_exclusive_bounds() => Check("""{"type":"integer","minimum":0,"exclusiveMinimum":true}""", ["1", "1000"], ["0", "-1"]);

    [Fact]
    public void Number_bounds_with_exclusive_ends() =>
        Check("""{"type":"number","exclusiveMinimum":0,"maximum":1}""", ["0.5", "1", "1.000", "0.001"], ["0", "0.0", "1.01", "2", "-0.5"]);

    [Fact]
    public void Number_fractional_bounds_round_inward() =>
        Check("""{"type":"number","minimum":0.5,"maximum":3.5}""", ["1", "2.75", "3"], ["0.75", "3.25", "4"]);

    [Fact] public void MultipleOf_one_means_integer() => Check("""{"type":"number","multipleOf":1}""", ["4"], ["4.5"]);

    [Fact] public void Nullable_openapi() => Check("""{"type":"string","nullable":true}""", ["\"a\"", "null"], ["1"]);

    [Fact]
    public void Annotations_are_ignored() =>
        Check("""{"$schema":"x","$id":"http://e/x","title":"t","description":"d","examples":[1],"default":2,"$comment":"c","deprecated":true,"type":"integer"}""", ["1"], ["\"1\""]);

    [Fact]
    public void Flexible_whitespace_is_bounded()
    {
        var gbnf = JsonSchemaToGbnf.Convert("""{"type":"array","items":{"type":"integer"}}""");
        Assert.True(GrammarAcceptance.Accepts(gbnf, "[ 1,\n  2 ]"));
        Assert.False(GrammarAcceptance.Accepts(gbnf, "[" + new string(' ', 2) + "1]"));
        Assert.False(GrammarAcceptance.Accepts(gbnf, "[\n" + new string(' ', 21) + "1]"));
    }
}
