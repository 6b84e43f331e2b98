namespace Ponder.Grammars.Schema;

/// <summary>How <see cref="JsonSchemaToGbnf"/> fills in what a schema leaves open.</summary>
public sealed record JsonSchemaGbnfOptions
{
    public static JsonSchemaGbnfOptions Default { get; } = new();

    /// <summary>
    /// When true (the default), an object schema without "additionalProperties" allows no
    /// properties beyond those it declares, and "prefixItems" without "items" allows no further
    /// items. This is OpenAI's strict mode and XGrammar's default: every output still validates
    /// (it is a subset of what the schema allows), and the model cannot wander into invented keys.
    /// When false, the JSON Schema reading applies (extra properties and items of any value), as
    /// llama.cpp's converter does.
    /// </summary>
    public bool Strict { get; init; } = true;

    /// <summary>Whitespace allowed between JSON tokens.</summary>
    public JsonWhitespace Whitespace { get; init; } = JsonWhitespace.Flexible;

    /// <summary>
    /// Most indentation characters after a newline in <see cref="JsonWhitespace.Flexible"/> mode.
    /// A bound is needed: with unbounded whitespace a weak model can emit spaces forever.
    /// </summary>
    public int MaxIndent { get; init; } = 20;
}

/// <summary>Whitespace between JSON tokens in generated grammars.</summary>
public enum JsonWhitespace
{
    /// <summary>None at all: the shortest outputs and the fewest grammar states.</summary>
    Compact,

    /// <summary>Nothing, one space, or one newline and up to MaxIndent spaces/tabs (llama.cpp's rule, one newline).</summary>
    Flexible,
}
