using System.Text.Json;
using System.Text.Json.Nodes;

namespace Ponder.Grammars.Schema;

/// <summary>
/// Converts a JSON Schema to a GBNF grammar whose every string is JSON that validates against the
/// schema (the grammar may allow fewer strings than the schema: see docs/grammar-schema.md for
/// each keyword). Unsupported or unsatisfiable schemas raise <see cref="JsonSchemaException"/>
/// naming the keyword and its JSON pointer.
/// </summary>
public static class JsonSchemaToGbnf
{
    /// <summary>GBNF for <paramref name="schemaJson"/> (a JSON Schema document).</summary>
    /// <exception cref="JsonSchemaException">Malformed, unsupported or unsatisfiable schema.</exception>
    public static string Convert(string schemaJson, JsonSchemaGbnfOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(schemaJson);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(schemaJson, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new JsonSchemaException("#", null, $"the schema is not valid JSON: {e.Message}", e);
        }
        return Convert(root, options);
    }

    /// <summary>GBNF for a parsed schema (true, false or an object).</summary>
    public static string Convert(JsonNode? schema, JsonSchemaGbnfOptions? options = null)
    {
        if (schema is null) throw new JsonSchemaException("#", null, "the schema is null; use {} or true for any JSON value");
        var gbnf = Run(() => new JsonSchemaConverter(schema, options ?? JsonSchemaGbnfOptions.Default).Convert());
        Validate(gbnf);
        return gbnf;
    }

    /// <summary>The parsed grammar for <paramref name="schemaJson"/>.</summary>
    public static Grammar ToGrammar(string schemaJson, JsonSchemaGbnfOptions? options = null) =>
        Grammar.Parse(Convert(schemaJson, options));

    /// <summary>GBNF for any JSON value ("any JSON": the schema {} or true).</summary>
    public static string AnyJson(JsonSchemaGbnfOptions? options = null) =>
        new JsonSchemaConverter(JsonValue.Create(true), options ?? JsonSchemaGbnfOptions.Default).AnyJson(objectOnly: false);

    /// <summary>GBNF for any JSON object: OpenAI's response_format {"type": "json_object"}.</summary>
    public static string AnyJsonObject(JsonSchemaGbnfOptions? options = null) =>
        new JsonSchemaConverter(JsonValue.Create(true), options ?? JsonSchemaGbnfOptions.Default).AnyJson(objectOnly: true);

    private static string Run(Func<string> convert)
    {
        try
        {
            return convert();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidCastException or OverflowException)
        {
            // A keyword value of the wrong JSON kind met a typed read (e.g. "minLength": "3").
            throw new JsonSchemaException("#", null, $"malformed schema: {e.Message}", e);
        }
    }

    /// <summary>
    /// The converter's output is meant to be valid GBNF; the one thing it cannot see locally is
    /// recursion without a base case (a required property that requires itself), which the
    /// grammar check finds.
    /// </summary>
    private static void Validate(string gbnf)
    {
        try
        {
            Grammar.Parse(gbnf);
        }
        catch (GrammarException e)
        {
            throw new JsonSchemaException("#", null,
                $"the schema has no finite value or converts to an invalid grammar (often a $ref recursion with no way to stop): {e.Message}", e);
        }
    }
}
