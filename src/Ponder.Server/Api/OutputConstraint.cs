using System.Text.Json;
using Ponder.Grammars;
using Ponder.Grammars.Patterns;
using Ponder.Grammars.Schema;

namespace Ponder.Server.Api;

/// <summary>
/// The request fields that constrain the output: OpenAI's <c>response_format</c> (<c>text</c>, <c>json_object</c>,
/// <c>json_schema</c>) and Ponder's <c>grammar</c> extension (GBNF text). Each becomes a grammar compiled for the
/// model's vocabulary (<see cref="GrammarCompiler.Shared"/> caches it by text, so a schema sent again costs a hash).
/// A schema or grammar that cannot be used is a 400 naming what and where (keyword and JSON pointer, line and column).
/// </summary>
public static class OutputConstraint
{
    /// <summary>The compiled grammar the request asks for, or null for free text.</summary>
    public static CompiledGrammar? Parse(JsonFields f, PonderModel model)
    {
        string? gbnf = null, param = null, code = null;
        if (f.Object("response_format") is { } rf)
        {
            string type = rf.RequiredString("type");
            switch (type)
            {
                case "text":
                    break;
                case "json_object":
                    (gbnf, param) = (JsonSchemaToGbnf.AnyJsonObject(), "response_format");
                    break;
                case "json_schema":
                    var js = rf.Object("json_schema") ?? throw ApiException.BadRequest(
                        "'response_format.json_schema' is required when 'response_format.type' is 'json_schema'",
                        "response_format.json_schema", "missing_required_parameter");
                    js.RequiredString("name");
                    js.String("description");
                    js.Bool("strict"); // the schema is always enforced; strict only has to be well-typed
                    var schema = js.Get("schema") ?? throw ApiException.BadRequest(
                        "'response_format.json_schema.schema' is required", "response_format.json_schema.schema", "missing_required_parameter");
                    if (schema.ValueKind is not (JsonValueKind.Object or JsonValueKind.True or JsonValueKind.False))
                        throw ApiException.BadRequest($"'response_format.json_schema.schema' must be a JSON Schema object, not {JsonFields.Kind(schema)}",
                            "response_format.json_schema.schema", "invalid_type");
                    (param, code) = ("response_format.json_schema.schema", "invalid_json_schema");
                    gbnf = Convert(() => JsonSchemaToGbnf.Convert(schema.GetRawText()), param, code);
                    break;
                default:
                    throw ApiException.BadRequest($"'response_format.type' is '{type}'; it must be text, json_object or json_schema",
                        "response_format.type", "invalid_value");
            }
        }
        if (f.String("grammar") is { } grammar)
        {
            if (gbnf != null)
                throw ApiException.BadRequest("'grammar' and a JSON 'response_format' both constrain the output; send one of them",
                    "grammar", "invalid_value");
            (gbnf, param, code) = (grammar, "grammar", "invalid_grammar");
        }
        if (gbnf == null) return null;
        return Convert(() => GrammarCompiler.Shared.Compile(gbnf, model.Tokenizer), param!, code ?? "invalid_grammar");
    }

    static T Convert<T>(Func<T> convert, string param, string code)
    {
        try
        {
            return convert();
        }
        catch (JsonSchemaException e)
        {
            throw ApiException.BadRequest($"'{param}' cannot be used: {e.Message}", param, code);
        }
        catch (Exception e) when (e is GrammarException or RegexPatternException)
        {
            throw ApiException.BadRequest($"'{param}' cannot be used: {e.Message}", param, code);
        }
    }
}
