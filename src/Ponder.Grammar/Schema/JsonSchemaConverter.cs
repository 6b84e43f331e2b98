using System.Text.Json;
using System.Text.Json.Nodes;
using Ponder.Grammars.Generation;

namespace Ponder.Grammars.Schema;

/// <summary>
/// One conversion of a JSON Schema document to GBNF. Every visit returns a GBNF expression for
/// the JSON text of a valid value followed by optional whitespace; sub-schemas become named rules
/// (shared when their bodies are equal), and each $ref target becomes one rule, which is what
/// lets recursive schemas terminate.
/// </summary>
/// <remarks>Follows the shape of llama.cpp's json_schema_to_grammar; the code is this project's own.</remarks>
internal sealed partial class JsonSchemaConverter
{
    private const int MaxDepth = 64;
    private const int MaxRules = 20_000;

    private readonly JsonNode _root;
    private readonly JsonSchemaGbnfOptions _options;
    private readonly GbnfRuleSet _rules = new();
    private readonly JsonPrimitives _prim;
    private readonly Dictionary<string, string> _refRules = new(StringComparer.Ordinal);
    private readonly SchemaMerger _merger;
    private readonly string? _rootId;
    private int _depth;

    public JsonSchemaConverter(JsonNode root, JsonSchemaGbnfOptions options)
    {
        _root = root;
        _options = options;
        _prim = new JsonPrimitives(_rules, options);
        _merger = new SchemaMerger(this);
        _rules.KeepNames(["root", "space", "value", "object", "array", "string", "char", "bmp-char", "number", "integer", "integral-part", "boolean", "null"]);
        _rootId = (root as JsonObject)?["$id"] is JsonValue id && id.TryGetValue<string>(out var s) ? s.Split('#')[0] : null;
    }

    private string Sp => _prim.Sp;

    public string Convert()
    {
        var root = _rules.Reserve("root", exact: true);
        if (Sp.Length > 0) _prim.Get("space");
        _refRules["#"] = root;
        _rules.Define(root, Visit(_root, "#", "root"));
        return _rules.ToString();
    }

    /// <summary>A grammar for any JSON value (<paramref name="objectOnly"/>: any JSON object).</summary>
    public string AnyJson(bool objectOnly)
    {
        _rules.AddExact("root", _prim.Get(objectOnly ? "object" : "value"));
        return _rules.ToString();
    }

    /// <summary>Names <paramref name="expression"/> as a rule unless it already is one rule name.</summary>
    private string Rule(string name, string expression)
    {
        // A reserved name ($ref target, root) gets this expression as its own body: no alias rule.
        if (IsRuleName(expression) || _rules.IsPending(name)) return expression;
        if (_rules.Count > MaxRules)
            throw new JsonSchemaException("#", null, $"the schema needs more than {MaxRules} grammar rules");
        return _rules.Add(name, expression);
    }

    private static bool IsRuleName(string e)
    {
        foreach (char c in e)
            if (!(char.IsAsciiLetterOrDigit(c) || c == '-')) return false;
        return e.Length > 0;
    }

    private string Visit(JsonNode? schema, string ptr, string name)
    {
        if (++_depth > MaxDepth)
            throw new JsonSchemaException(ptr, null, $"the schema nests deeper than {MaxDepth} levels");
        try
        {
            return schema switch
            {
                JsonValue v when v.TryGetValue<bool>(out bool b) => b
                    ? _prim.Get("value")
                    : throw new JsonSchemaException(ptr, null, "the schema 'false' accepts no value"),
                JsonObject o => VisitObject(NormalizeDraft4(o), ptr, name),
                _ => throw new JsonSchemaException(ptr, null, "a schema must be an object or a boolean"),
            };
        }
        finally
        {
            _depth--;
        }
    }

    private string VisitObject(JsonObject o, string ptr, string name)
    {
        CheckKeywords(o, ptr);

        if (o["$ref"] is JsonNode refNode)
        {
            if (!HasConstraints(o, except: "$ref"))
                return RefRule(refNode, JsonPointer.Append(ptr, "$ref"));
            // $ref with sibling constraints (allowed since 2019-09): both apply.
            return Visit(_merger.Merge([(o, ptr)], ptr), ptr, name);
        }
        if (o.ContainsKey("allOf"))
            return Visit(_merger.Merge([(o, ptr)], ptr), ptr, name);

        if (o["nullable"] is JsonValue nv && nv.TryGetValue<bool>(out bool nullable) && nullable)
        {
            var rest = Without(o, "nullable");
            return Rule(name, Visit(rest, ptr, name) + " | " + _prim.Get("null"));
        }

        if (o.ContainsKey("anyOf") || o.ContainsKey("oneOf"))
            return VisitAlternatives(o, ptr, name);

        if (o.ContainsKey("const") || o.ContainsKey("enum"))
            return VisitEnum(o, ptr, name);

        var types = TypesOf(o, ptr);
        if (types is null) return _prim.Get("value");
        if (types.Count == 1) return VisitTyped(o, types[0], ptr, name);
        var alternatives = types.Select(t => VisitTyped(o, t, ptr, name + "-" + t)).ToList();
        return string.Join(" | ", alternatives);
    }

    private string VisitTyped(JsonObject o, string type, string ptr, string name) => type switch
    {
        "null" => _prim.Get("null"),
        "boolean" => _prim.Get("boolean"),
        "string" => VisitString(o, ptr, name),
        "integer" => VisitInteger(o, ptr, name),
        "number" => VisitNumber(o, ptr, name),
        "object" => VisitObjectType(o, ptr, name),
        "array" => VisitArray(o, ptr, name),
        _ => throw new JsonSchemaException(JsonPointer.Append(ptr, "type"), "type", $"unknown type '{type}'"),
    };

    private string VisitAlternatives(JsonObject o, string ptr, string name)
    {
        if (o.ContainsKey("anyOf") && o.ContainsKey("oneOf"))
            return Visit(_merger.Merge([(o, ptr)], ptr), ptr, name);
        string keyword = o.ContainsKey("anyOf") ? "anyOf" : "oneOf";
        var kwPtr = JsonPointer.Append(ptr, keyword);
        if (o[keyword] is not JsonArray branches || branches.Count == 0)
            throw new JsonSchemaException(kwPtr, keyword, "must be a non-empty array of schemas");
        var rest = Without(o, keyword);
        bool distribute = HasConstraints(rest, except: null);
        var alternatives = new List<string>();
        for (int i = 0; i < branches.Count; i++)
        {
            var branchPtr = JsonPointer.Append(kwPtr, i);
            // Keywords beside anyOf apply to every branch: X and (A or B) = (X and A) or (X and B).
            var branch = distribute ? _merger.Merge([(rest, ptr), (branches[i], branchPtr)], branchPtr) : branches[i];
            alternatives.Add(Rule(name + "-" + i, Visit(branch, branchPtr, name + "-" + i)));
        }
        return string.Join(" | ", alternatives.Distinct());
    }

    private string VisitEnum(JsonObject o, string ptr, string name)
    {
        bool isConst = o.ContainsKey("const");
        string keyword = isConst ? "const" : "enum";
        var kwPtr = JsonPointer.Append(ptr, keyword);
        JsonArray values;
        if (isConst) values = new JsonArray(o["const"]?.DeepClone());
        else if (o["enum"] is JsonArray arr) values = arr;
        else throw new JsonSchemaException(kwPtr, keyword, "must be an array");
        if (isConst && o["enum"] is JsonArray both)
        {
            var inEnum = both.Select(JsonLiteral.Write).ToHashSet(StringComparer.Ordinal);
            values = new JsonArray(values.Where(v => inEnum.Contains(JsonLiteral.Write(v))).Select(v => v?.DeepClone()).ToArray());
        }
        if (values.Count == 0)
            throw new JsonSchemaException(kwPtr, keyword, "no value is allowed (the enum is empty)");
        var kept = new List<string>();
        foreach (var v in values)
            if (EnumValueFits(v, o, ptr)) kept.Add(JsonLiteral.Write(v));
        if (kept.Count == 0)
            throw new JsonSchemaException(kwPtr, keyword, "no listed value satisfies the schema's other keywords (type, lengths, bounds)");
        var alternatives = kept.Distinct(StringComparer.Ordinal).Select(GbnfText.Literal);
        string sp = Sp;
        return Rule(name, (kept.Count > 1 ? "( " + string.Join(" | ", alternatives) + " )" : alternatives.First()) + sp);
    }

    /// <summary>
    /// Whether an enum value also satisfies the simple keywords beside it. Deep checks of object
    /// and array values against properties/items are not made.
    /// </summary>
    private bool EnumValueFits(JsonNode? v, JsonObject o, string ptr)
    {
        var types = TypesOf(o, ptr, infer: false);
        var t = JsonLiteral.TypeOf(v);
        if (types is not null && !types.Contains(t) && !(t == "integer" && types.Contains("number"))) return false;
        if (t == "string")
        {
            var s = v!.GetValue<string>();
            int length = s.Length; // UTF-16 units: the stricter of the two counts for maxLength...
            int codePoints = s.EnumerateRunes().Count(); // ...and code points the stricter for minLength.
            if (o["minLength"] is JsonNode min && codePoints < min.GetValue<decimal>()) return false;
            if (o["maxLength"] is JsonNode max && length > max.GetValue<decimal>()) return false;
            if (o["pattern"] is JsonValue p && p.TryGetValue<string>(out var pattern)
                && !System.Text.RegularExpressions.Regex.IsMatch(s, pattern)) return false;
        }
        if (t is "integer" or "number")
        {
            decimal d = v!.GetValue<decimal>();
            if (o["minimum"] is JsonNode a && d < a.GetValue<decimal>()) return false;
            if (o["maximum"] is JsonNode b && d > b.GetValue<decimal>()) return false;
            if (o["exclusiveMinimum"] is JsonNode c && d <= c.GetValue<decimal>()) return false;
            if (o["exclusiveMaximum"] is JsonNode e && d >= e.GetValue<decimal>()) return false;
        }
        return true;
    }

    /// <summary>
    /// The types a schema allows: from "type", or (with <paramref name="infer"/>) from the
    /// keywords present, since "properties" without "type" only makes sense for objects;
    /// null when any value is allowed.
    /// </summary>
    private List<string>? TypesOf(JsonObject o, string ptr, bool infer = true)
    {
        var typePtr = JsonPointer.Append(ptr, "type");
        if (o["type"] is JsonNode t)
        {
            var list = t switch
            {
                JsonValue v when v.TryGetValue<string>(out var s) => [s],
                JsonArray a when a.All(x => x is JsonValue xv && xv.TryGetValue<string>(out _)) => a.Select(x => x!.GetValue<string>()).ToList(),
                _ => throw new JsonSchemaException(typePtr, "type", "must be a type name or an array of type names"),
            };
            if (list.Count == 0) throw new JsonSchemaException(typePtr, "type", "an empty list of types allows no value");
            foreach (var name in list)
                if (name is not ("null" or "boolean" or "string" or "integer" or "number" or "object" or "array"))
                    throw new JsonSchemaException(typePtr, "type", $"unknown type '{name}'");
            // "number" already includes every integer.
            if (list.Contains("number")) list.Remove("integer");
            return list.Distinct().ToList();
        }
        if (!infer) return null;
        var inferred = new List<string>();
        if (JsonSchemaKeywords.ObjectKeywords.Any(o.ContainsKey)) inferred.Add("object");
        if (JsonSchemaKeywords.ArrayKeywords.Any(o.ContainsKey)) inferred.Add("array");
        if (JsonSchemaKeywords.StringKeywords.Any(o.ContainsKey)) inferred.Add("string");
        if (JsonSchemaKeywords.NumberKeywords.Any(o.ContainsKey)) inferred.Add("number");
        return inferred.Count == 0 ? null : inferred;
    }

    /// <summary>Refuses keywords the grammar cannot honour, naming the keyword and its pointer.</summary>
    public void CheckKeywords(JsonObject o, string ptr)
    {
        foreach (var (k, v) in o)
        {
            if (JsonSchemaKeywords.Unsupported.TryGetValue(k, out var why))
            {
                // Trivially true forms are harmless.
                if (k is "unevaluatedProperties" or "unevaluatedItems" && v is JsonValue tv && tv.TryGetValue<bool>(out bool tb) && tb) continue;
                throw new JsonSchemaException(JsonPointer.Append(ptr, k), k, why);
            }
        }
    }

    /// <summary>True if <paramref name="o"/> has keywords other than annotations (and <paramref name="except"/>).</summary>
    private static bool HasConstraints(JsonObject o, string? except)
    {
        foreach (var (k, _) in o)
            if (k != except && !JsonSchemaKeywords.Annotations.Contains(k)) return true;
        return false;
    }

    private static JsonObject Without(JsonObject o, string keyword)
    {
        var copy = new JsonObject();
        foreach (var (k, v) in o)
            if (k != keyword) copy[k] = v?.DeepClone();
        return copy;
    }

    /// <summary>
    /// Draft 4 wrote exclusive bounds as booleans beside minimum/maximum; later drafts as numbers.
    /// Rewrites the draft 4 form so the rest of the converter sees one form.
    /// </summary>
    public static JsonObject NormalizeDraft4(JsonObject o)
    {
        bool lowBool = o["exclusiveMinimum"] is JsonValue lv && lv.GetValueKind() is JsonValueKind.True or JsonValueKind.False;
        bool highBool = o["exclusiveMaximum"] is JsonValue hv && hv.GetValueKind() is JsonValueKind.True or JsonValueKind.False;
        // unevaluatedProperties/Items: false with no composition is additionalProperties/items: false.
        bool unevalProps = o["unevaluatedProperties"] is JsonValue up && up.GetValueKind() == JsonValueKind.False;
        if (!lowBool && !highBool && !unevalProps) return o;
        var copy = new JsonObject();
        foreach (var (k, v) in o) copy[k] = v?.DeepClone();
        if (lowBool)
        {
            bool on = copy["exclusiveMinimum"]!.GetValue<bool>();
            copy.Remove("exclusiveMinimum");
            if (on && copy["minimum"] is JsonNode m) { copy["exclusiveMinimum"] = m.DeepClone(); copy.Remove("minimum"); }
        }
        if (highBool)
        {
            bool on = copy["exclusiveMaximum"]!.GetValue<bool>();
            copy.Remove("exclusiveMaximum");
            if (on && copy["maximum"] is JsonNode m) { copy["exclusiveMaximum"] = m.DeepClone(); copy.Remove("maximum"); }
        }
        if (unevalProps && !copy.ContainsKey("allOf") && !copy.ContainsKey("anyOf") && !copy.ContainsKey("oneOf") && !copy.ContainsKey("$ref"))
        {
            copy.Remove("unevaluatedProperties");
            copy["additionalProperties"] ??= false;
        }
        return copy;
    }

    private static string Key(string propertyName) => GbnfText.Literal("\"" + JsonStringChars.Escape(propertyName) + "\"");
}
