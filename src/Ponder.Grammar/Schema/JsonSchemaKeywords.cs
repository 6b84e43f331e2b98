namespace Ponder.Grammars.Schema;

/// <summary>
/// Which JSON Schema keywords the converter handles, which it may ignore, and which it must
/// refuse. Keywords in none of the sets are unknown and ignored, as the spec treats unknown
/// keywords (annotations).
/// </summary>
internal static class JsonSchemaKeywords
{
    /// <summary>Keywords that never constrain a value: ignoring them changes nothing.</summary>
    public static readonly HashSet<string> Annotations = new(StringComparer.Ordinal)
    {
        "title", "description", "examples", "example", "default", "$schema", "$id", "id", "$comment",
        "deprecated", "readOnly", "writeOnly", "contentEncoding", "contentMediaType", "contentSchema",
        "discriminator", "xml", "externalDocs", "markdownDescription", "enumDescriptions",
        "$defs", "definitions", "$anchor", "$vocabulary", "$dynamicAnchor", "$recursiveAnchor", "strict",
    };

    /// <summary>Keywords the converter turns into grammar.</summary>
    public static readonly HashSet<string> Supported = new(StringComparer.Ordinal)
    {
        "type", "enum", "const", "$ref", "anyOf", "oneOf", "allOf", "nullable",
        "properties", "required", "additionalProperties", "minProperties", "maxProperties",
        "items", "prefixItems", "additionalItems", "minItems", "maxItems", "uniqueItems",
        "minLength", "maxLength", "pattern", "format",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    };

    /// <summary>
    /// Assertions whose language a context-free grammar cannot express (or this converter does
    /// not): generating without them would produce invalid outputs, so they are refused.
    /// </summary>
    public static readonly Dictionary<string, string> Unsupported = new(StringComparer.Ordinal)
    {
        ["not"] = "negation cannot be expressed as a grammar",
        ["if"] = "conditional schemas (if/then/else) are not supported",
        ["then"] = "conditional schemas (if/then/else) are not supported",
        ["else"] = "conditional schemas (if/then/else) are not supported",
        ["dependentSchemas"] = "dependent schemas are not supported",
        ["dependentRequired"] = "dependent required properties are not supported",
        ["dependencies"] = "dependencies are not supported",
        ["propertyNames"] = "propertyNames is not supported",
        ["unevaluatedProperties"] = "unevaluatedProperties is not supported; use additionalProperties",
        ["unevaluatedItems"] = "unevaluatedItems is not supported; use items",
        ["contains"] = "contains is not supported",
        ["minContains"] = "minContains is not supported",
        ["maxContains"] = "maxContains is not supported",
        ["$dynamicRef"] = "$dynamicRef is not supported",
        ["$recursiveRef"] = "$recursiveRef is not supported",
    };

    public static readonly string[] ObjectKeywords = ["properties", "required", "additionalProperties", "patternProperties", "minProperties", "maxProperties"];
    public static readonly string[] ArrayKeywords = ["items", "prefixItems", "additionalItems", "minItems", "maxItems", "uniqueItems"];
    public static readonly string[] StringKeywords = ["minLength", "maxLength", "pattern", "format"];
    public static readonly string[] NumberKeywords = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"];
}
