using System.Globalization;

namespace Ponder.Server.Templates;

/// <summary>
/// Recursive-descent parser for the Jinja subset chat templates use, with Jinja2's operator
/// precedence (<c>parse_or → and → not → compare → + - → ~ → * / // % → ** → unary → postfix,
/// filters and tests</c>). Unknown tags, filters and tests are rejected here, at load time, so a
/// template the interpreter cannot run fails when the server starts, not on the first request.
/// </summary>
sealed class TemplateParser
{
    private readonly List<Token> _t;
    private int _p;

    TemplateParser(List<Token> tokens) => _t = tokens;

    public static List<Node> Parse(string source)
    {
        var p = new TemplateParser(TemplateLexer.Lex(source));
        var body = p.ParseBody(out var end);
        if (end != null) throw new TemplateException($"line {p.Peek.Line}: unexpected {{% {end} %}}");
        return body;
    }

    Token Peek => _t[_p];
    Token Next() => _t[_p++];

    bool IsName(string v) => Peek.Kind == Tk.Name && Peek.Value == v;
    bool IsOp(string v) => Peek.Kind == Tk.Op && Peek.Value == v;

    Token Expect(Tk kind, string? value = null)
    {
        var t = Next();
        if (t.Kind != kind || (value != null && t.Value != value))
            throw new TemplateException($"line {t.Line}: expected {value ?? kind.ToString()} but found {TemplateLexer.Describe(t)}");
        return t;
    }

    void ExpectOp(string op) => Expect(Tk.Op, op);

    static readonly HashSet<string> EndTags =
        ["endif", "elif", "else", "endfor", "endset", "endmacro", "endgeneration", "endfilter"];

    /// <summary>Parses nodes until an end tag (returned, its <c>%}</c> not yet consumed) or the end.</summary>
    List<Node> ParseBody(out string? endTag)
    {
        var nodes = new List<Node>();
        while (true)
        {
            var t = Peek;
            switch (t.Kind)
            {
                case Tk.Eof:
                    endTag = null;
                    return nodes;
                case Tk.Text:
                    Next();
                    nodes.Add(new TextNode(t.Value, t.Line));
                    break;
                case Tk.ExprStart:
                    Next();
                    var e = ParseExpr();
                    Expect(Tk.ExprEnd);
                    nodes.Add(new OutputNode(e, t.Line));
                    break;
                case Tk.StmtStart:
                    Next();
                    var name = Expect(Tk.Name);
                    if (EndTags.Contains(name.Value))
                    {
                        endTag = name.Value;
                        return nodes;
                    }
                    nodes.Add(ParseStatement(name));
                    break;
                default:
                    throw new TemplateException($"line {t.Line}: unexpected {TemplateLexer.Describe(t)}");
            }
        }
    }

    List<Node> ParseUntil(string what, params string[] ends)
    {
        var body = ParseBody(out var end);
        if (end == null || Array.IndexOf(ends, end) < 0)
            throw new TemplateException($"line {Peek.Line}: {what} is not closed (expected {{% {ends[^1]} %}})");
        return body;
    }

    Node ParseStatement(Token name)
    {
        int line = name.Line;
        switch (name.Value)
        {
            case "if":
            {
                var branches = new List<(Expr, List<Node>)>();
                List<Node>? @else = null;
                var cond = ParseExpr();
                Expect(Tk.StmtEnd);
                while (true)
                {
                    var body = ParseBody(out var end);
                    branches.Add((cond, body));
                    if (end == "elif") { cond = ParseExpr(); Expect(Tk.StmtEnd); continue; }
                    if (end == "else")
                    {
                        Expect(Tk.StmtEnd);
                        @else = ParseUntil("if", "endif");
                        Expect(Tk.StmtEnd);
                        break;
                    }
                    if (end == "endif") { Expect(Tk.StmtEnd); break; }
                    throw new TemplateException($"line {line}: if is not closed (expected {{% endif %}})");
                }
                return new IfNode(branches, @else, line);
            }
            case "for":
            {
                var targets = new List<string> { Expect(Tk.Name).Value };
                while (IsOp(",")) { Next(); targets.Add(Expect(Tk.Name).Value); }
                Expect(Tk.Name, "in");
                var iter = ParseCondFree();
                Expr? filter = null;
                if (IsName("if")) { Next(); filter = ParseCondFree(); }
                if (IsName("recursive")) throw new TemplateException($"line {line}: recursive loops are not supported");
                Expect(Tk.StmtEnd);
                var body = ParseBody(out var end);
                List<Node>? @else = null;
                if (end == "else")
                {
                    Expect(Tk.StmtEnd);
                    @else = ParseUntil("for", "endfor");
                }
                else if (end != "endfor") throw new TemplateException($"line {line}: for is not closed (expected {{% endfor %}})");
                Expect(Tk.StmtEnd);
                return new ForNode(targets, iter, filter, body, @else, line);
            }
            case "set":
            {
                Expr target = new NameExpr(Expect(Tk.Name).Value, line);
                if (IsOp(".")) { Next(); target = new AttrExpr(target, Expect(Tk.Name).Value, line); }
                else if (IsOp(","))
                {
                    var names = new List<Expr> { target };
                    while (IsOp(",")) { Next(); names.Add(new NameExpr(Expect(Tk.Name).Value, line)); }
                    target = new ListExpr(names, line);
                }
                if (IsOp("="))
                {
                    Next();
                    var value = ParseTuple();
                    Expect(Tk.StmtEnd);
                    return new SetNode(target, value, null, line);
                }
                Expect(Tk.StmtEnd);
                var body = ParseUntil("set", "endset");
                Expect(Tk.StmtEnd);
                return new SetNode(target, null, body, line);
            }
            case "macro":
            {
                var mname = Expect(Tk.Name).Value;
                ExpectOp("(");
                var ps = new List<(string, Expr?)>();
                while (!IsOp(")"))
                {
                    var pn = Expect(Tk.Name).Value;
                    Expr? def = null;
                    if (IsOp("=")) { Next(); def = ParseExpr(); }
                    ps.Add((pn, def));
                    if (!IsOp(")")) ExpectOp(",");
                }
                ExpectOp(")");
                Expect(Tk.StmtEnd);
                var body = ParseUntil("macro", "endmacro");
                Expect(Tk.StmtEnd);
                return new MacroNode(mname, ps, body, line);
            }
            case "generation":
            {
                Expect(Tk.StmtEnd);
                var body = ParseUntil("generation", "endgeneration");
                Expect(Tk.StmtEnd);
                return new BlockNode(body, line);
            }
            case "break": Expect(Tk.StmtEnd); return new BreakNode(line);
            case "continue": Expect(Tk.StmtEnd); return new ContinueNode(line);
            default:
                throw new TemplateException($"line {line}: the tag {{% {name.Value} %}} is not supported by Ponder's template interpreter");
        }
    }

    /// <summary>A tuple without parentheses, as in <c>set a = 1, 2</c>.</summary>
    Expr ParseTuple()
    {
        var first = ParseExpr();
        if (!IsOp(",")) return first;
        var items = new List<Expr> { first };
        while (IsOp(",")) { Next(); items.Add(ParseExpr()); }
        return new ListExpr(items, first.Line);
    }

    public Expr ParseExpr()
    {
        var e = ParseOr();
        if (IsName("if"))
        {
            int line = Next().Line;
            var cond = ParseOr();
            Expr? @else = null;
            if (IsName("else")) { Next(); @else = ParseExpr(); }
            return new CondExpr(cond, e, @else, line);
        }
        return e;
    }

    /// <summary>For-loop iterables and filters: no inline <c>if</c> (it belongs to the loop).</summary>
    Expr ParseCondFree() => ParseOr();

    Expr ParseOr()
    {
        var l = ParseAnd();
        while (IsName("or")) { int line = Next().Line; l = new BinaryExpr("or", l, ParseAnd(), line); }
        return l;
    }

    Expr ParseAnd()
    {
        var l = ParseNot();
        while (IsName("and")) { int line = Next().Line; l = new BinaryExpr("and", l, ParseNot(), line); }
        return l;
    }

    Expr ParseNot()
    {
        if (IsName("not")) { int line = Next().Line; return new UnaryExpr("not", ParseNot(), line); }
        return ParseCompare();
    }

    Expr ParseCompare()
    {
        var l = ParseAdd();
        while (true)
        {
            int line = Peek.Line;
            if (Peek.Kind == Tk.Op && Peek.Value is "==" or "!=" or "<" or ">" or "<=" or ">=")
            {
                var op = Next().Value;
                l = new BinaryExpr(op, l, ParseAdd(), line);
            }
            else if (IsName("in")) { Next(); l = new BinaryExpr("in", l, ParseAdd(), line); }
            else if (IsName("not") && _t[_p + 1].Kind == Tk.Name && _t[_p + 1].Value == "in")
            {
                Next(); Next();
                l = new UnaryExpr("not", new BinaryExpr("in", l, ParseAdd(), line), line);
            }
            else return l;
        }
    }

    Expr ParseAdd()
    {
        var l = ParseConcat();
        while (Peek.Kind == Tk.Op && Peek.Value is "+" or "-")
        {
            var t = Next();
            l = new BinaryExpr(t.Value, l, ParseConcat(), t.Line);
        }
        return l;
    }

    Expr ParseConcat()
    {
        var l = ParseMul();
        while (IsOp("~")) { int line = Next().Line; l = new BinaryExpr("~", l, ParseMul(), line); }
        return l;
    }

    Expr ParseMul()
    {
        var l = ParsePow();
        while (Peek.Kind == Tk.Op && Peek.Value is "*" or "/" or "//" or "%")
        {
            var t = Next();
            l = new BinaryExpr(t.Value, l, ParsePow(), t.Line);
        }
        return l;
    }

    Expr ParsePow()
    {
        var l = ParseUnary();
        while (IsOp("**")) { int line = Next().Line; l = new BinaryExpr("**", l, ParseUnary(), line); }
        return l;
    }

    Expr ParseUnary()
    {
        if (Peek.Kind == Tk.Op && Peek.Value is "-" or "+")
        {
            var t = Next();
            return new UnaryExpr(t.Value, ParseUnary(), t.Line);
        }
        var e = ParsePostfix(ParsePrimary());
        return ParseFilterOrTest(e);
    }

    Expr ParsePrimary()
    {
        var t = Next();
        switch (t.Kind)
        {
            case Tk.String:
            {
                string s = t.Value;
                while (Peek.Kind == Tk.String) s += Next().Value; // adjacent literals concatenate
                return new Literal(s, t.Line);
            }
            case Tk.Int: return new Literal(long.Parse(t.Value, CultureInfo.InvariantCulture), t.Line);
            case Tk.Float: return new Literal(double.Parse(t.Value, CultureInfo.InvariantCulture), t.Line);
            case Tk.Name:
                return t.Value switch
                {
                    "true" or "True" => new Literal(true, t.Line),
                    "false" or "False" => new Literal(false, t.Line),
                    "none" or "None" => new Literal(null, t.Line),
                    _ => new NameExpr(t.Value, t.Line),
                };
            case Tk.Op when t.Value == "(":
            {
                if (IsOp(")")) { Next(); return new ListExpr([], t.Line); }
                var e = ParseExpr();
                if (IsOp(","))
                {
                    var items = new List<Expr> { e };
                    while (IsOp(",")) { Next(); if (IsOp(")")) break; items.Add(ParseExpr()); }
                    e = new ListExpr(items, t.Line);
                }
                ExpectOp(")");
                return e;
            }
            case Tk.Op when t.Value == "[":
            {
                var items = new List<Expr>();
                while (!IsOp("]"))
                {
                    items.Add(ParseExpr());
                    if (!IsOp("]")) ExpectOp(",");
                }
                ExpectOp("]");
                return new ListExpr(items, t.Line);
            }
            case Tk.Op when t.Value == "{":
            {
                var items = new List<(Expr, Expr)>();
                while (!IsOp("}"))
                {
                    var k = ParseExpr();
                    ExpectOp(":");
                    items.Add((k, ParseExpr()));
                    if (!IsOp("}")) ExpectOp(",");
                }
                ExpectOp("}");
                return new DictExpr(items, t.Line);
            }
            default:
                throw new TemplateException($"line {t.Line}: unexpected {TemplateLexer.Describe(t)} in an expression");
        }
    }

    Expr ParsePostfix(Expr e)
    {
        while (true)
        {
            int line = Peek.Line;
            if (IsOp("."))
            {
                Next();
                var n = Next();
                if (n.Kind is not (Tk.Name or Tk.Int)) throw new TemplateException($"line {line}: expected an attribute name after '.'");
                e = n.Kind == Tk.Int ? new IndexExpr(e, new Literal(long.Parse(n.Value, CultureInfo.InvariantCulture), line), line) : new AttrExpr(e, n.Value, line);
            }
            else if (IsOp("["))
            {
                Next();
                Expr? start = null, stop = null, step = null;
                bool slice = false;
                if (!IsOp(":")) start = ParseExpr();
                if (IsOp(":"))
                {
                    slice = true;
                    Next();
                    if (!IsOp(":") && !IsOp("]")) stop = ParseExpr();
                    if (IsOp(":")) { Next(); if (!IsOp("]")) step = ParseExpr(); }
                }
                ExpectOp("]");
                e = slice ? new SliceExpr(e, start, stop, step, line) : new IndexExpr(e, start!, line);
            }
            else if (IsOp("("))
            {
                var (args, kwargs) = ParseArgs();
                e = new CallExpr(e, args, kwargs, line);
            }
            else return e;
        }
    }

    (List<Expr>, List<(string, Expr)>) ParseArgs()
    {
        ExpectOp("(");
        var args = new List<Expr>();
        var kwargs = new List<(string, Expr)>();
        while (!IsOp(")"))
        {
            if (Peek.Kind == Tk.Name && _t[_p + 1].Kind == Tk.Op && _t[_p + 1].Value == "=")
            {
                var k = Next().Value;
                Next();
                kwargs.Add((k, ParseExpr()));
            }
            else args.Add(ParseExpr());
            if (!IsOp(")")) ExpectOp(",");
        }
        ExpectOp(")");
        return (args, kwargs);
    }

    Expr ParseFilterOrTest(Expr e)
    {
        while (true)
        {
            int line = Peek.Line;
            if (IsOp("|"))
            {
                Next();
                var name = Expect(Tk.Name).Value;
                if (!TemplateBuiltins.HasFilter(name))
                    throw new TemplateException($"line {line}: the filter '{name}' is not supported by Ponder's template interpreter");
                List<Expr> args = [];
                List<(string, Expr)> kwargs = [];
                if (IsOp("(")) (args, kwargs) = ParseArgs();
                e = ParsePostfix(new FilterExpr(e, name, args, kwargs, line));
            }
            else if (IsName("is"))
            {
                Next();
                bool neg = false;
                if (IsName("not")) { Next(); neg = true; }
                var nt = Next();
                string name = nt.Kind == Tk.Name ? nt.Value
                    : nt.Kind == Tk.Op && nt.Value is "==" or "!=" or "<" or ">" or "<=" or ">=" ? nt.Value
                    : throw new TemplateException($"line {line}: expected a test name after 'is'");
                if (!TemplateBuiltins.HasTest(name))
                    throw new TemplateException($"line {line}: the test '{name}' is not supported by Ponder's template interpreter");
                var args = new List<Expr>();
                if (IsOp("(")) args = ParseArgs().Item1;
                else if (Peek.Kind is Tk.String or Tk.Int or Tk.Float || (Peek.Kind == Tk.Name && Peek.Value is not ("and" or "or" or "else" or "if" or "not" or "in" or "is")))
                    args.Add(ParsePostfix(ParsePrimary()));
                e = new TestExpr(e, name, args, neg, line);
            }
            else return e;
        }
    }
}
