namespace Ponder.Grammars;

/// <summary>One production <c>name ::= body</c>; <see cref="Line"/>/<see cref="Column"/> locate the name in the
/// GBNF text (0 when built in code) so errors about the rule can point at it.</summary>
public sealed record GrammarRule(string Name, GrammarExpr Body, int Line = 0, int Column = 0);
