namespace Ponder.Grammars.Schema;

/// <summary>
/// A JSON Schema that cannot become a grammar: malformed JSON or schema, an unsupported keyword,
/// a combination that cannot be expressed, or a schema no value satisfies. <see cref="Keyword"/>
/// and <see cref="Pointer"/> (a JSON pointer such as <c>#/properties/a/not</c>) say where.
/// </summary>
/// <remarks>
/// Not a <see cref="GrammarException"/> subclass because that type is sealed; both derive from
/// <see cref="PonderException"/>, which is what callers that report input errors catch.
/// </remarks>
public sealed class JsonSchemaException : PonderException
{
    public JsonSchemaException(string pointer, string? keyword, string problem, Exception? inner = null)
        : base(Describe(pointer, keyword, problem), inner!)
    {
        Pointer = pointer;
        Keyword = keyword;
        Problem = problem;
    }

    /// <summary>JSON pointer (URI fragment form) of the offending keyword or schema.</summary>
    public string Pointer { get; }

    /// <summary>The keyword at fault, or null when the schema as a whole is at fault.</summary>
    public string? Keyword { get; }

    public string Problem { get; }

    private static string Describe(string pointer, string? keyword, string problem) =>
        keyword is null ? $"JSON Schema at {pointer}: {problem}" : $"JSON Schema keyword '{keyword}' at {pointer}: {problem}";
}
