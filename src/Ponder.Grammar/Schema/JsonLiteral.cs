using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Ponder.Grammars.Generation;

namespace Ponder.Grammars.Schema;

/// <summary>Compact JSON text of schema values (enum, const), written the way the grammar must emit them.</summary>
internal static class JsonLiteral
{
    /// <summary>
    /// Compact JSON for <paramref name="node"/>: numbers keep their source text (1.0 stays 1.0, so
    /// a validator comparing numbers by kind sees the same kind), strings escape only what JSON
    /// requires (System.Text.Json's writer would also escape non-ASCII and HTML characters).
    /// </summary>
    public static string Write(JsonNode? node)
    {
        var sb = new StringBuilder();
        Write(sb, node);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, JsonNode? node)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                break;
            case JsonObject o:
                sb.Append('{');
                bool first = true;
                foreach (var (k, v) in o)
                {
                    if (!first) sb.Append(',');
                    first = false;
                    sb.Append('"').Append(JsonStringChars.Escape(k)).Append("\":");
                    Write(sb, v);
                }
                sb.Append('}');
                break;
            case JsonArray a:
                sb.Append('[');
                for (int i = 0; i < a.Count; i++)
                {
                    if (i > 0) sb.Append(',');
                    Write(sb, a[i]);
                }
                sb.Append(']');
                break;
            case JsonValue v:
                switch (v.GetValueKind())
                {
                    case JsonValueKind.String: sb.Append('"').Append(JsonStringChars.Escape(v.GetValue<string>())).Append('"'); break;
                    case JsonValueKind.True: sb.Append("true"); break;
                    case JsonValueKind.False: sb.Append("false"); break;
                    case JsonValueKind.Null: sb.Append("null"); break;
                    default: sb.Append(v.ToJsonString()); break;
                }
                break;
        }
    }

    /// <summary>The JSON Schema type names a value belongs to ("integer" also for 1, not for 1.0).</summary>
    public static string TypeOf(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "object",
        JsonArray => "array",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            JsonValueKind.Null => "null",
            // Validators differ on whether 1.0 is an integer; only integer spellings count as one.
            _ => v.ToJsonString().AsSpan().IndexOfAny(".eE") < 0 ? "integer" : "number",
        },
        _ => "null",
    };
}
