using System.Globalization;
using System.Text;
using static Ponder.Server.Templates.TemplateValues;

namespace Ponder.Server.Templates;

/// <summary>The filters, tests and string/dict methods chat templates call, with Python's semantics.</summary>
static class TemplateBuiltins
{
    delegate object? Filter(TemplateRenderer r, object? value, List<object?> args, Dictionary<string, object?> kwargs);

    static readonly Dictionary<string, Filter> Filters = new()
    {
        ["trim"] = (_, v, a, _) => a.Count > 0 && a[0] is string chars ? AsString(v).Trim(chars.ToCharArray()) : AsString(v).Trim(),
        ["tojson"] = (_, v, a, k) => ToJson(v, Arg(a, k, 0, "indent") is long i ? (int)i : null),
        ["length"] = (_, v, _, _) => Length(v),
        ["count"] = (_, v, _, _) => Length(v),
        ["upper"] = (_, v, _, _) => AsString(v).ToUpperInvariant(),
        ["lower"] = (_, v, _, _) => AsString(v).ToLowerInvariant(),
        ["capitalize"] = (_, v, _, _) => Capitalize(AsString(v)),
        ["title"] = (_, v, _, _) => Title(AsString(v)),
        ["default"] = Default,
        ["d"] = Default,
        ["first"] = (_, v, _, _) => Iterate(v) is { Count: > 0 } l ? l[0] : Undefined.Value,
        ["last"] = (_, v, _, _) => Iterate(v) is { Count: > 0 } l ? l[^1] : Undefined.Value,
        ["join"] = (_, v, a, k) => string.Join(Arg(a, k, 0, "d") is string sep ? sep : "", Iterate(v).Select(x => Str(Arg(a, k, 1, "attribute") is string at ? GetAttr(x, at) : x))),
        ["list"] = (_, v, _, _) => Iterate(v),
        ["string"] = (_, v, _, _) => Str(v),
        ["int"] = (_, v, _, _) => v switch { long l => l, double d => (long)d, string s when long.TryParse(s.Trim(), out var l) => l, string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => (long)d, bool b => b ? 1L : 0L, _ => 0L },
        ["float"] = (_, v, _, _) => v switch { long l => (double)l, double d => d, string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d, _ => 0.0 },
        ["abs"] = (_, v, _, _) => v is long l ? (object)Math.Abs(l) : Math.Abs(ToDouble(v)),
        ["round"] = (_, v, a, _) => Math.Round(ToDouble(v), a.Count > 0 && a[0] is long p ? (int)p : 0, MidpointRounding.ToEven),
        ["replace"] = (_, v, a, _) => a.Count >= 2 ? AsString(v).Replace(AsString(a[0]), AsString(a[1])) : throw new TemplateException("replace needs two arguments"),
        ["items"] = (_, v, _, _) => Items(v),
        ["dictsort"] = (_, v, _, _) => Items(v).OrderBy(x => (string)((List<object?>)x!)[0]!, StringComparer.OrdinalIgnoreCase).ToList<object?>(),
        ["reverse"] = (_, v, _, _) => v is string s ? new string(s.Reverse().ToArray()) : Enumerable.Reverse(Iterate(v)).ToList(),
        ["unique"] = (_, v, _, _) => Unique(Iterate(v)),
        ["sort"] = (_, v, a, k) => Sort(Iterate(v), Truthy(Arg(a, k, 0, "reverse")), Arg(a, k, 2, "attribute") as string),
        ["sum"] = (_, v, _, k) => Iterate(v).Aggregate((object?)0L, (acc, x) => Add(acc, k.TryGetValue("attribute", out var at) ? GetAttr(x, Str(at)) : x)),
        ["min"] = (_, v, _, _) => Iterate(v).Aggregate((object?)null, (m, x) => m == null || Compare(x, m) < 0 ? x : m),
        ["max"] = (_, v, _, _) => Iterate(v).Aggregate((object?)null, (m, x) => m == null || Compare(x, m) > 0 ? x : m),
        ["safe"] = (_, v, _, _) => v,
        ["e"] = (_, v, _, _) => Escape(Str(v)),
        ["escape"] = (_, v, _, _) => Escape(Str(v)),
        ["indent"] = (_, v, a, k) => Indent(AsString(v), Arg(a, k, 0, "width") is long w ? (int)w : 4, Truthy(Arg(a, k, 1, "first")), Truthy(Arg(a, k, 2, "blank"))),
        ["wordcount"] = (_, v, _, _) => (long)AsString(v).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length,
        ["select"] = (r, v, a, _) => Iterate(v).Where(x => a.Count == 0 ? Truthy(x) : RunTest(r, AsString(a[0]), x, a.Skip(1).ToList())).ToList(),
        ["reject"] = (r, v, a, _) => Iterate(v).Where(x => !(a.Count == 0 ? Truthy(x) : RunTest(r, AsString(a[0]), x, a.Skip(1).ToList()))).ToList(),
        ["selectattr"] = (r, v, a, _) => Iterate(v).Where(x => AttrTest(r, x, a)).ToList(),
        ["rejectattr"] = (r, v, a, _) => Iterate(v).Where(x => !AttrTest(r, x, a)).ToList(),
        ["map"] = Map,
    };

    static object? Default(TemplateRenderer r, object? v, List<object?> a, Dictionary<string, object?> k)
    {
        bool boolean = Truthy(Arg(a, k, 1, "boolean"));
        bool use = v is Undefined || (boolean && !Truthy(v));
        return use ? (a.Count > 0 ? a[0] : k.TryGetValue("default_value", out var d) ? d : "") : v;
    }

    static object? Map(TemplateRenderer r, object? v, List<object?> a, Dictionary<string, object?> k)
    {
        if (k.TryGetValue("attribute", out var at))
        {
            k.TryGetValue("default", out var def);
            return Iterate(v).Select(x => GetAttr(x, Str(at)) is Undefined && def != null ? def : GetAttr(x, Str(at))).ToList();
        }
        if (a.Count == 0) throw new TemplateException("map needs a filter name or attribute=");
        string name = AsString(a[0]);
        if (!Filters.TryGetValue(name, out var f)) throw new TemplateException($"map: unknown filter '{name}'");
        return Iterate(v).Select(x => f(r, x, a.Skip(1).ToList(), new())).ToList();
    }

    static bool AttrTest(TemplateRenderer r, object? x, List<object?> a)
    {
        if (a.Count == 0) throw new TemplateException("selectattr/rejectattr need an attribute name");
        var val = GetAttr(x, AsString(a[0]));
        return a.Count == 1 ? Truthy(val) : RunTest(r, AsString(a[1]), val, a.Skip(2).ToList());
    }

    delegate bool Test(object? v, List<object?> args);

    static readonly Dictionary<string, Test> Tests = new()
    {
        ["defined"] = (v, _) => v is not Undefined,
        ["undefined"] = (v, _) => v is Undefined,
        ["none"] = (v, _) => v == null,
        ["string"] = (v, _) => v is string,
        ["number"] = (v, _) => v is long or double,
        ["integer"] = (v, _) => v is long,
        ["float"] = (v, _) => v is double,
        ["boolean"] = (v, _) => v is bool,
        ["true"] = (v, _) => v is true,
        ["false"] = (v, _) => v is false,
        ["mapping"] = (v, _) => v is Dictionary<string, object?>,
        ["iterable"] = (v, _) => v is string or List<object?> or Dictionary<string, object?>,
        ["sequence"] = (v, _) => v is string or List<object?> or Dictionary<string, object?>,
        ["callable"] = (v, _) => v is TemplateFunction,
        ["odd"] = (v, _) => v is long l && l % 2 != 0,
        ["even"] = (v, _) => v is long l && l % 2 == 0,
        ["divisibleby"] = (v, a) => v is long l && a.Count > 0 && a[0] is long d && d != 0 && l % d == 0,
        ["lower"] = (v, _) => v is string s && s == s.ToLowerInvariant(),
        ["upper"] = (v, _) => v is string s && s == s.ToUpperInvariant(),
        ["equalto"] = (v, a) => a.Count > 0 && TemplateValues.Equals(v, a[0]),
        ["eq"] = (v, a) => a.Count > 0 && TemplateValues.Equals(v, a[0]),
        ["=="] = (v, a) => a.Count > 0 && TemplateValues.Equals(v, a[0]),
        ["sameas"] = (v, a) => a.Count > 0 && (TemplateValues.Equals(v, a[0]) && TypeName(v) == TypeName(a[0])),
        ["ne"] = (v, a) => a.Count > 0 && !TemplateValues.Equals(v, a[0]),
        ["!="] = (v, a) => a.Count > 0 && !TemplateValues.Equals(v, a[0]),
        ["lt"] = (v, a) => Compare(v, a[0]) < 0,
        ["<"] = (v, a) => Compare(v, a[0]) < 0,
        ["le"] = (v, a) => Compare(v, a[0]) <= 0,
        ["<="] = (v, a) => Compare(v, a[0]) <= 0,
        ["gt"] = (v, a) => Compare(v, a[0]) > 0,
        [">"] = (v, a) => Compare(v, a[0]) > 0,
        ["ge"] = (v, a) => Compare(v, a[0]) >= 0,
        [">="] = (v, a) => Compare(v, a[0]) >= 0,
        ["in"] = (v, a) => a.Count > 0 && Contains(a[0], v),
    };

    public static bool HasFilter(string name) => Filters.ContainsKey(name);
    public static bool HasTest(string name) => Tests.ContainsKey(name);

    public static object? RunFilter(TemplateRenderer r, string name, object? v, List<object?> args, Dictionary<string, object?> kwargs) =>
        Filters.TryGetValue(name, out var f) ? f(r, v, args, kwargs) : throw new TemplateException($"unknown filter '{name}'");

    public static bool RunTest(TemplateRenderer r, string name, object? v, List<object?> args) =>
        Tests.TryGetValue(name, out var t) ? t(v, args) : throw new TemplateException($"unknown test '{name}'");

    static object? Arg(List<object?> a, Dictionary<string, object?> k, int i, string name) =>
        i < a.Count ? a[i] : k.TryGetValue(name, out var v) ? v : null;

    static string AsString(object? v) => v is string s ? s : Str(v);

    static long Length(object? v) => v switch
    {
        string s => s.Length,
        System.Collections.ICollection c => c.Count,
        Undefined => 0,
        _ => throw new TemplateException($"object of type {TypeName(v)} has no length"),
    };

    public static List<object?> Iterate(object? v) => v switch
    {
        List<object?> l => l,
        Dictionary<string, object?> d => d.Keys.Cast<object?>().ToList(),
        string s => s.Select(c => (object?)c.ToString()).ToList(),
        Undefined => [],
        _ => throw new TemplateException($"object of type {TypeName(v)} is not iterable"),
    };

    static List<object?> Items(object? v) => v switch
    {
        Dictionary<string, object?> d => d.Select(kv => (object?)new List<object?> { kv.Key, kv.Value }).ToList(),
        Undefined => [],
        _ => throw new TemplateException($"items: expected a mapping, got {TypeName(v)}"),
    };

    static List<object?> Unique(List<object?> l)
    {
        var result = new List<object?>();
        foreach (var x in l) if (!result.Any(y => TemplateValues.Equals(x, y))) result.Add(x);
        return result;
    }

    static List<object?> Sort(List<object?> l, bool reverse, string? attribute)
    {
        var copy = new List<object?>(l);
        Comparison<object?> cmp = attribute == null ? Compare : (x, y) => Compare(GetAttr(x, attribute), GetAttr(y, attribute));
        copy.Sort(cmp);
        if (reverse) copy.Reverse();
        return copy;
    }

    static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        bool start = true;
        foreach (char c in s)
        {
            sb.Append(start ? char.ToUpperInvariant(c) : char.ToLowerInvariant(c));
            start = !char.IsLetterOrDigit(c);
        }
        return sb.ToString();
    }

    static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&#34;").Replace("'", "&#39;");

    static string Indent(string s, int width, bool first, bool blank)
    {
        var pad = new string(' ', width);
        var lines = s.Split('\n');
        for (int i = 0; i < lines.Length; i++)
            if ((i > 0 || first) && (blank || lines[i].Trim().Length > 0)) lines[i] = pad + lines[i];
        return string.Join('\n', lines);
    }

    public static bool Contains(object? container, object? item) => container switch
    {
        string s => item is string sub ? s.Contains(sub, StringComparison.Ordinal) : throw new TemplateException($"'in <string>' requires a string, not {TypeName(item)}"),
        List<object?> l => l.Any(x => TemplateValues.Equals(x, item)),
        Dictionary<string, object?> d => item is string k && d.ContainsKey(k),
        Undefined or null => false,
        _ => throw new TemplateException($"argument of type {TypeName(container)} is not iterable"),
    };

    public static object? Add(object? a, object? b)
    {
        if (a is long la && b is long lb) return la + lb;
        if (IsNumber(a) && IsNumber(b)) return ToDouble(a) + ToDouble(b);
        if (a is string sa && b is string sb) return sa + sb;
        if (a is List<object?> x && b is List<object?> y) return x.Concat(y).ToList();
        // Jinja's Undefined concatenates as an empty string in practice (templates test it before use).
        if (a is Undefined && b is string) return b;
        if (a is string && b is Undefined) return a;
        throw new TemplateException($"unsupported operand types for +: {TypeName(a)} and {TypeName(b)}");
    }

    /// <summary>Jinja's <c>getattr</c>: attribute then item, for dicts, lists, loops and namespaces.</summary>
    public static object? GetAttr(object? target, string name) => target switch
    {
        Dictionary<string, object?> d => d.TryGetValue(name, out var v) ? v : Undefined.Value,
        LoopInfo loop => loop.Get(name),
        _ => Undefined.Value,
    };

    /// <summary>Methods of str, dict and list that templates call (<c>content.strip()</c>, <c>d.get(k)</c>, …).</summary>
    public static bool TryCallMethod(object? target, string name, List<object?> a, out object? result)
    {
        result = null;
        switch (target)
        {
            case string s:
                result = name switch
                {
                    "strip" => a.Count > 0 && a[0] is string c1 ? s.Trim(c1.ToCharArray()) : s.Trim(),
                    "lstrip" => a.Count > 0 && a[0] is string c2 ? s.TrimStart(c2.ToCharArray()) : s.TrimStart(),
                    "rstrip" => a.Count > 0 && a[0] is string c3 ? s.TrimEnd(c3.ToCharArray()) : s.TrimEnd(),
                    "upper" => s.ToUpperInvariant(),
                    "lower" => s.ToLowerInvariant(),
                    "title" => Title(s),
                    "capitalize" => Capitalize(s),
                    "startswith" => StartsOrEnds(s, a, true),
                    "endswith" => StartsOrEnds(s, a, false),
                    "split" => Split(s, a),
                    "replace" => a.Count >= 2 ? s.Replace(AsString(a[0]), AsString(a[1])) : throw new TemplateException("replace needs two arguments"),
                    "find" => (long)s.IndexOf(AsString(a[0]), StringComparison.Ordinal),
                    "count" => (long)CountOf(s, AsString(a[0])),
                    "join" => string.Join(s, Iterate(a[0]).Select(Str)),
                    "isdigit" => s.Length > 0 && s.All(char.IsDigit),
                    "isspace" => s.Length > 0 && s.All(char.IsWhiteSpace),
                    _ => Undefined.Value,
                };
                return result is not Undefined;
            case Dictionary<string, object?> d when d is not Namespace:
                switch (name)
                {
                    case "get": result = d.TryGetValue(AsString(a[0]), out var v) ? v : a.Count > 1 ? a[1] : null; return true;
                    case "items": result = Items(d); return true;
                    case "keys": result = d.Keys.Cast<object?>().ToList(); return true;
                    case "values": result = d.Values.ToList(); return true;
                }
                return false;
            default:
                return false;
        }
    }

    static bool StartsOrEnds(string s, List<object?> a, bool start)
    {
        if (a.Count == 0) throw new TemplateException("startswith/endswith need an argument");
        var options = a[0] is List<object?> l ? l.Select(AsString) : [AsString(a[0])];
        return options.Any(o => start ? s.StartsWith(o, StringComparison.Ordinal) : s.EndsWith(o, StringComparison.Ordinal));
    }

    static List<object?> Split(string s, List<object?> a)
    {
        if (a.Count == 0 || a[0] == null) return s.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Cast<object?>().ToList();
        int max = a.Count > 1 && a[1] is long m && m >= 0 ? (int)m + 1 : int.MaxValue;
        return s.Split(AsString(a[0]), max).Cast<object?>().ToList();
    }

    static int CountOf(string s, string sub)
    {
        if (sub.Length == 0) return s.Length + 1;
        int n = 0;
        for (int i = s.IndexOf(sub, StringComparison.Ordinal); i >= 0; i = s.IndexOf(sub, i + sub.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}
