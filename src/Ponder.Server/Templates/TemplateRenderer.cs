using System.Text;
using static Ponder.Server.Templates.TemplateValues;

namespace Ponder.Server.Templates;

/// <summary>Walks a parsed template. Scopes follow Jinja: a for body or macro gets its own scope (a
/// <c>set</c> inside a loop does not leak out, which is why templates use <c>namespace()</c>), an if
/// does not.</summary>
sealed class TemplateRenderer
{
    private readonly List<Dictionary<string, object?>> _scopes = new();
    private readonly StringBuilder _out = new();
    private int _steps;
    const int MaxSteps = 2_000_000; // a runaway template (huge range) fails instead of hanging a request

    sealed class BreakSignal : Exception;
    sealed class ContinueSignal : Exception;

    public TemplateRenderer(Dictionary<string, object?> globals) => _scopes.Add(globals);

    public string Render(List<Node> nodes)
    {
        Exec(nodes, _out);
        return _out.ToString();
    }

    object? Lookup(string name)
    {
        for (int i = _scopes.Count - 1; i >= 0; i--)
            if (_scopes[i].TryGetValue(name, out var v)) return v;
        return Undefined.Value;
    }

    void Exec(List<Node> nodes, StringBuilder output)
    {
        foreach (var n in nodes) Exec(n, output);
    }

    void Exec(Node node, StringBuilder output)
    {
        if (++_steps > MaxSteps) throw new TemplateException("the template ran too long (more than 2,000,000 steps)");
        switch (node)
        {
            case TextNode t: output.Append(t.Text); break;
            case OutputNode o: output.Append(Str(Eval(o.Value))); break;
            case IfNode f:
                foreach (var (cond, body) in f.Branches)
                    if (Truthy(Eval(cond))) { Exec(body, output); return; }
                if (f.Else != null) Exec(f.Else, output);
                break;
            case ForNode f: ExecFor(f, output); break;
            case SetNode s:
            {
                object? value;
                if (s.Body != null)
                {
                    var sb = new StringBuilder();
                    Exec(s.Body, sb);
                    value = sb.ToString();
                }
                else value = Eval(s.Value!);
                Assign(s.Target, value, s.Line);
                break;
            }
            case MacroNode m: _scopes[^1][m.Name] = MakeMacro(m); break;
            case BlockNode b: Exec(b.Body, output); break;
            case BreakNode: throw new BreakSignal();
            case ContinueNode: throw new ContinueSignal();
            default: throw new TemplateException($"line {node.Line}: cannot run {node.GetType().Name}");
        }
    }

    void Assign(Expr target, object? value, int line)
    {
        switch (target)
        {
            case NameExpr n: _scopes[^1][n.Name] = value; break;
            case AttrExpr { Target: NameExpr ns } a:
                if (Lookup(ns.Name) is not Namespace space)
                    throw new TemplateException($"line {line}: cannot set an attribute of '{ns.Name}', which is not a namespace()");
                space[a.Name] = value;
                break;
            case ListExpr l:
            {
                var items = TemplateBuiltins.Iterate(value);
                if (items.Count != l.Items.Count) throw new TemplateException($"line {line}: cannot unpack {items.Count} values into {l.Items.Count} names");
                for (int i = 0; i < items.Count; i++) Assign(l.Items[i], items[i], line);
                break;
            }
            default: throw new TemplateException($"line {line}: cannot assign to this expression");
        }
    }

    void ExecFor(ForNode f, StringBuilder output)
    {
        var source = Eval(f.Iter);
        var all = source is Dictionary<string, object?> d && f.Targets.Count == 2
            ? d.Select(kv => (object?)new List<object?> { kv.Key, kv.Value }).ToList()
            : TemplateBuiltins.Iterate(source);
        List<object?> items = all;
        if (f.Filter != null)
        {
            items = new();
            foreach (var x in all)
            {
                _scopes.Add(new());
                Bind(f.Targets, x, f.Line);
                if (Truthy(Eval(f.Filter))) items.Add(x);
                _scopes.RemoveAt(_scopes.Count - 1);
            }
        }
        if (items.Count == 0)
        {
            if (f.Else != null) Exec(f.Else, output);
            return;
        }
        var loop = new LoopInfo { Items = items };
        var scope = new Dictionary<string, object?>();
        _scopes.Add(scope);
        try
        {
            for (int i = 0; i < items.Count; i++)
            {
                if (++_steps > MaxSteps) throw new TemplateException($"line {f.Line}: the template ran too long (more than 2,000,000 steps)");
                scope.Clear();
                loop.Index0 = i;
                scope["loop"] = loop;
                Bind(f.Targets, items[i], f.Line);
                try { Exec(f.Body, output); }
                catch (ContinueSignal) { }
                catch (BreakSignal) { break; }
            }
        }
        finally { _scopes.RemoveAt(_scopes.Count - 1); }
    }

    void Bind(List<string> targets, object? item, int line)
    {
        if (targets.Count == 1) { _scopes[^1][targets[0]] = item; return; }
        var parts = TemplateBuiltins.Iterate(item);
        if (parts.Count != targets.Count) throw new TemplateException($"line {line}: cannot unpack {parts.Count} values into {targets.Count} loop variables");
        for (int i = 0; i < targets.Count; i++) _scopes[^1][targets[i]] = parts[i];
    }

    TemplateFunction MakeMacro(MacroNode m) => (args, kwargs) =>
    {
        var scope = new Dictionary<string, object?>();
        for (int i = 0; i < m.Params.Count; i++)
        {
            var (name, def) = m.Params[i];
            scope[name] = i < args.Count ? args[i] : kwargs.TryGetValue(name, out var v) ? v : def != null ? Eval(def) : Undefined.Value;
        }
        _scopes.Add(scope);
        try
        {
            var sb = new StringBuilder();
            Exec(m.Body, sb);
            return sb.ToString();
        }
        finally { _scopes.RemoveAt(_scopes.Count - 1); }
    };

    object? Eval(Expr e)
    {
        switch (e)
        {
            case Literal l: return l.Value;
            case NameExpr n: return Lookup(n.Name);
            case ListExpr l: return l.Items.Select(Eval).ToList();
            case DictExpr d:
            {
                var dict = new Dictionary<string, object?>();
                foreach (var (k, v) in d.Items) dict[Str(Eval(k))] = Eval(v);
                return dict;
            }
            case AttrExpr a: return TemplateBuiltins.GetAttr(Eval(a.Target), a.Name);
            case IndexExpr ix: return Index(Eval(ix.Target), Eval(ix.Index), ix.Line);
            case SliceExpr s: return Slice(Eval(s.Target), s);
            case CallExpr c: return Call(c);
            case FilterExpr f:
            {
                var v = Eval(f.Target);
                var args = f.Args.Select(Eval).ToList();
                var kwargs = f.Kwargs.ToDictionary(k => k.Name, k => Eval(k.Value));
                return TemplateBuiltins.RunFilter(this, f.Name, v, args, kwargs);
            }
            case TestExpr t:
            {
                bool r = TemplateBuiltins.RunTest(this, t.Name, Eval(t.Target), t.Args.Select(Eval).ToList());
                return t.Negated ? !r : r;
            }
            case UnaryExpr u:
            {
                var v = Eval(u.Operand);
                return u.Op switch
                {
                    "not" => !Truthy(v),
                    "-" => v is long l ? (object)(-l) : -ToDouble(v),
                    _ => v,
                };
            }
            case BinaryExpr b: return Binary(b);
            case CondExpr c: return Truthy(Eval(c.Cond)) ? Eval(c.Then) : c.Else != null ? Eval(c.Else) : Undefined.Value;
            default: throw new TemplateException($"line {e.Line}: cannot evaluate {e.GetType().Name}");
        }
    }

    object? Binary(BinaryExpr b)
    {
        if (b.Op == "and") { var l = Eval(b.Left); return Truthy(l) ? Eval(b.Right) : l; }
        if (b.Op == "or") { var l = Eval(b.Left); return Truthy(l) ? l : Eval(b.Right); }
        var a = Eval(b.Left);
        var c = Eval(b.Right);
        try
        {
            switch (b.Op)
            {
                case "==": return TemplateValues.Equals(a, c);
                case "!=": return !TemplateValues.Equals(a, c);
                case "<": return Compare(a, c) < 0;
                case ">": return Compare(a, c) > 0;
                case "<=": return Compare(a, c) <= 0;
                case ">=": return Compare(a, c) >= 0;
                case "in": return TemplateBuiltins.Contains(c, a);
                case "+": return TemplateBuiltins.Add(a, c);
                case "~": return Str(a) + Str(c);
                case "-": return a is long x1 && c is long y1 ? (object)(x1 - y1) : ToDouble(a) - ToDouble(c);
                case "*":
                    if (a is string s && c is long k) return string.Concat(Enumerable.Repeat(s, (int)Math.Max(0, k)));
                    return a is long x2 && c is long y2 ? (object)(x2 * y2) : ToDouble(a) * ToDouble(c);
                case "/": return ToDouble(a) / NonZero(ToDouble(c));
                case "//":
                    if (a is long x3 && c is long y3) { NonZero(y3); return (object)(long)Math.Floor((double)x3 / y3); }
                    return Math.Floor(ToDouble(a) / NonZero(ToDouble(c)));
                case "%":
                    if (a is long x4 && c is long y4) { NonZero(y4); long m = x4 % y4; return m != 0 && (m < 0) != (y4 < 0) ? m + y4 : m; }
                    return ToDouble(a) % NonZero(ToDouble(c));
                case "**": return a is long x5 && c is long y5 && y5 >= 0 ? (object)(long)Math.Pow(x5, y5) : Math.Pow(ToDouble(a), ToDouble(c));
            }
        }
        catch (TemplateException ex) when (!ex.Message.StartsWith("line ", StringComparison.Ordinal))
        {
            throw new TemplateException($"line {b.Line}: {ex.Message}");
        }
        throw new TemplateException($"line {b.Line}: unknown operator {b.Op}");
    }

    static double NonZero(double d) => d == 0 ? throw new TemplateException("division by zero") : d;

    static object? Index(object? target, object? index, int line)
    {
        switch (target)
        {
            case List<object?> l when index is long i:
                if (i < 0) i += l.Count;
                return i >= 0 && i < l.Count ? l[(int)i] : Undefined.Value;
            case string s when index is long j:
                if (j < 0) j += s.Length;
                return j >= 0 && j < s.Length ? s[(int)j].ToString() : Undefined.Value;
            case Dictionary<string, object?> d:
                return index is string k && d.TryGetValue(k, out var v) ? v : Undefined.Value;
            case LoopInfo loop when index is string name:
                return loop.Get(name);
            case Undefined:
                return Undefined.Value;
            default:
                throw new TemplateException($"line {line}: cannot index {TypeName(target)} with {TypeName(index)}");
        }
    }

    object? Slice(object? target, SliceExpr s)
    {
        long? start = s.Start == null ? null : (long)ToDouble(Eval(s.Start));
        long? stop = s.Stop == null ? null : (long)ToDouble(Eval(s.Stop));
        long step = s.Step == null ? 1 : (long)ToDouble(Eval(s.Step));
        if (step == 0) throw new TemplateException($"line {s.Line}: slice step cannot be zero");
        List<object?> items = target switch
        {
            List<object?> l => l,
            string str => str.Select(c => (object?)c.ToString()).ToList(),
            Undefined => [],
            _ => throw new TemplateException($"line {s.Line}: cannot slice {TypeName(target)}"),
        };
        int n = items.Count;
        long Norm(long v, long lo, long hi) { if (v < 0) v += n; return Math.Clamp(v, lo, hi); }
        var result = new List<object?>();
        if (step > 0)
        {
            long a = start is { } x ? Norm(x, 0, n) : 0, b = stop is { } y ? Norm(y, 0, n) : n;
            for (long i = a; i < b; i += step) result.Add(items[(int)i]);
        }
        else
        {
            long a = start is { } x ? Norm(x, -1, n - 1) : n - 1, b = stop is { } y ? Norm(y, -1, n - 1) : -1;
            for (long i = a; i > b; i += step) result.Add(items[(int)i]);
        }
        return target is string ? string.Concat(result.Select(Str)) : result;
    }

    object? Call(CallExpr c)
    {
        var args = c.Args.Select(Eval).ToList();
        var kwargs = c.Kwargs.ToDictionary(k => k.Name, k => Eval(k.Value));
        if (c.Target is AttrExpr a)
        {
            var obj = Eval(a.Target);
            if (TemplateBuiltins.TryCallMethod(obj, a.Name, args, out var result)) return result;
            var member = TemplateBuiltins.GetAttr(obj, a.Name);
            if (member is TemplateFunction mf) return mf(args, kwargs);
            throw new TemplateException($"line {c.Line}: {TypeName(obj)} has no method '{a.Name}'");
        }
        var fn = Eval(c.Target);
        if (fn is TemplateFunction f) return f(args, kwargs);
        string name = c.Target is NameExpr n ? n.Name : "expression";
        throw new TemplateException($"line {c.Line}: '{name}' is not a function (unknown global or undefined name)");
    }
}
