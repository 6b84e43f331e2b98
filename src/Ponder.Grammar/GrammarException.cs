namespace Ponder.Grammars;

/// <summary>A grammar that cannot be used: a GBNF syntax error, a reference to an undefined rule, a missing root, a
/// rule that can never produce a finite string, left recursion, or a compile cap (states, time) that was hit.
/// <see cref="Line"/> and <see cref="Column"/> are 1-based positions in the GBNF text when the error has one.</summary>
public sealed class GrammarException : PonderException
{
    public GrammarException(string message, int line = 0, int column = 0)
        : base(line > 0 ? $"{message} (line {line}, column {column})" : message)
    {
        Line = line;
        Column = column;
    }

    public int Line { get; }
    public int Column { get; }
}
