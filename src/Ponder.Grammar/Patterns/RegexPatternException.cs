namespace Ponder.Grammars.Patterns;

/// <summary>
/// A regex that cannot become a grammar: a syntax error, or a construct outside the supported
/// subset (backreferences, lookaround, word boundaries, anchors in the middle). <see cref="Position"/>
/// is the 0-based offset in <see cref="Pattern"/> where the problem starts.
/// </summary>
/// <remarks>
/// Not a <see cref="GrammarException"/> subclass because that type is sealed; callers that map
/// input errors to a user-facing error (the server's 400) catch <see cref="PonderException"/>.
/// </remarks>
public sealed class RegexPatternException(string pattern, int position, string problem)
    : PonderException($"Regex /{pattern}/ at offset {position}: {problem}")
{
    public string Pattern { get; } = pattern;
    public int Position { get; } = position;
    public string Problem { get; } = problem;
}
