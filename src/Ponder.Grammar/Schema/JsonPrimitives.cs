using Ponder.Grammars.Generation;

namespace Ponder.Grammars.Schema;

/// <summary>
/// The fixed rules every JSON grammar draws on (any value, strings, numbers, whitespace), added to
/// a rule set on first use together with the rules they refer to.
/// </summary>
internal sealed class JsonPrimitives(GbnfRuleSet rules, JsonSchemaGbnfOptions options)
{
    /// <summary>" space" in flexible mode, "" in compact mode: appended after every JSON token.</summary>
    public string Sp { get; } = options.Whitespace == JsonWhitespace.Compact ? "" : " space";

    /// <summary>Adds <paramref name="name"/> (and what it uses) and returns its rule name.</summary>
    public string Get(string name)
    {
        if (rules.Contains(name)) return name;
        string sp = Sp;
        var (body, uses) = name switch
        {
            "space" => ($"( \" \" | \"\\n\" [ \\t]{{0,{options.MaxIndent}}} )?", (string[])[]),
            "value" => ("object | array | string | number | boolean | null", ["object", "array", "string", "number", "boolean", "null"]),
            "object" => ($"\"{{\"{sp} ( string \":\"{sp} value ( \",\"{sp} string \":\"{sp} value )* )? \"}}\"{sp}", ["string", "value"]),
            "array" => ($"\"[\"{sp} ( value ( \",\"{sp} value )* )? \"]\"{sp}", ["value"]),
            "string" => ($"\"\\\"\" char* \"\\\"\"{sp}", ["char"]),
            "char" => (JsonStringChars.AnyCharBody, []),
            "bmp-char" => (JsonStringChars.BmpCharBody, []),
            // Exponents are capped at two digits so every number fits a double.
            "number" => ($"\"-\"? integral-part ( \".\" [0-9]{{1,16}} )? ( [eE] [\\-+]? [0-9]{{1,2}} )?{sp}", ["integral-part"]),
            "integer" => ($"\"-\"? integral-part{sp}", ["integral-part"]),
            "integral-part" => ("\"0\" | [1-9] [0-9]{0,15}", []),
            "boolean" => ($"( \"true\" | \"false\" ){sp}", []),
            "null" => ($"\"null\"{sp}", []),
            _ => throw new ArgumentOutOfRangeException(nameof(name), name, "no such primitive"),
        };
        rules.AddExact(name, body);
        foreach (var u in uses) Get(u);
        if (name != "space" && sp.Length > 0) Get("space");
        return name;
    }
}
