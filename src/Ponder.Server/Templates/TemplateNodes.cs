namespace Ponder.Server.Templates;

// Statements
abstract record Node(int Line);
sealed record TextNode(string Text, int Line) : Node(Line);
sealed record OutputNode(Expr Value, int Line) : Node(Line);
sealed record IfNode(List<(Expr Cond, List<Node> Body)> Branches, List<Node>? Else, int Line) : Node(Line);
sealed record ForNode(List<string> Targets, Expr Iter, Expr? Filter, List<Node> Body, List<Node>? Else, int Line) : Node(Line);
sealed record SetNode(Expr Target, Expr? Value, List<Node>? Body, int Line) : Node(Line);
sealed record MacroNode(string Name, List<(string Name, Expr? Default)> Params, List<Node> Body, int Line) : Node(Line);
sealed record BreakNode(int Line) : Node(Line);
sealed record ContinueNode(int Line) : Node(Line);
/// <summary><c>{% generation %}</c> (transformers' assistant-mask marker): renders its body.</summary>
sealed record BlockNode(List<Node> Body, int Line) : Node(Line);

// Expressions
abstract record Expr(int Line);
sealed record Literal(object? Value, int Line) : Expr(Line);
sealed record NameExpr(string Name, int Line) : Expr(Line);
sealed record ListExpr(List<Expr> Items, int Line) : Expr(Line);
sealed record DictExpr(List<(Expr Key, Expr Value)> Items, int Line) : Expr(Line);
sealed record AttrExpr(Expr Target, string Name, int Line) : Expr(Line);
sealed record IndexExpr(Expr Target, Expr Index, int Line) : Expr(Line);
sealed record SliceExpr(Expr Target, Expr? Start, Expr? Stop, Expr? Step, int Line) : Expr(Line);
sealed record CallExpr(Expr Target, List<Expr> Args, List<(string Name, Expr Value)> Kwargs, int Line) : Expr(Line);
sealed record FilterExpr(Expr Target, string Name, List<Expr> Args, List<(string Name, Expr Value)> Kwargs, int Line) : Expr(Line);
sealed record TestExpr(Expr Target, string Name, List<Expr> Args, bool Negated, int Line) : Expr(Line);
sealed record UnaryExpr(string Op, Expr Operand, int Line) : Expr(Line);
sealed record BinaryExpr(string Op, Expr Left, Expr Right, int Line) : Expr(Line);
sealed record CondExpr(Expr Cond, Expr Then, Expr? Else, int Line) : Expr(Line);
