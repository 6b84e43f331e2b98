using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using NJsonSchema;

namespace Ponder.Grammars.Tests.Schema;

/// <summary>Validates generated text against a schema with NJsonSchema, the independent judge of the converter.</summary>
public static class SchemaValidation
{
    /// <summary>
    /// NJsonSchema reads draft-7 "definitions" but not 2019-09's "$defs"; the two mean the same, so
    /// the schema is handed over with the older name.
    /// </summary>
    public static JsonSchema Load(string schemaJson) =>
        JsonSchema.FromJsonAsync(schemaJson.Replace("\"$defs\"", "\"definitions\"").Replace("#/$defs/", "#/definitions/")).GetAwaiter().GetResult();

    /// <summary>Validation errors of <paramref name="json"/>, or a parse error; empty when valid.</summary>
    public static List<string> Errors(JsonSchema schema, string json)
    {
        JToken token;
        try
        {
            // Dates stay strings: NJsonSchema would otherwise re-format them before checking patterns.
            using var reader = new JsonTextReader(new StringReader(json)) { DateParseHandling = DateParseHandling.None };
            token = JToken.ReadFrom(reader);
            while (reader.Read())
                if (reader.TokenType != JsonToken.Comment) return [$"trailing content after the JSON value: {reader.TokenType}"];
        }
        catch (JsonException e)
        {
            return [$"not JSON: {e.Message}"];
        }
        return schema.Validate(token).Select(e => e.ToString()).ToList();
    }
}
