using System.Text.Json.Nodes;

namespace Ponder.Grammars.Tests.Schema;

/// <summary>
/// Draws random schemas over the keywords the converter supports, from a seed. Combinations are
/// kept to ones whose meaning NJsonSchema shares with the spec (oneOf branches of distinct types,
/// "definitions" for shared schemas), so a validation failure always means a converter bug.
/// </summary>
public sealed class RandomSchemaGenerator(int seed)
{
    private static readonly string[] PropertyNames =
        ["id", "name", "a", "ab", "abc", "type", "value", "x-y", "with space", "quo\"te", "back\\slash", "ключ", "emoji😀", "a/b", ""];

    private static readonly string[] Patterns =
    [
        "^[a-z]+$", "^[A-Z]{2,3}-\\d{1,4}$", "abc", "^(foo|bar)+$", "\\d", "^[^\"\\\\]*$", "^\\w+@\\w+\\.com$",
        "^#[0-9a-fA-F]{6}$", "^.{2,5}$", "x?y*z+", "^(?:\\+1)?[ -]?\\(\\d{3}\\)$", "[\\s\\S]", "^[\\u0400-\\u04FF]+$", "\"q\"|\\\\",
    ];

    private static readonly string[] Formats = ["date", "time", "date-time", "uuid", "email", "uri", "hostname", "ipv4", "ipv6"];

    private readonly Random _rng = new(seed);
    private readonly JsonObject _definitions = new();

    public JsonObject Next()
    {
        _definitions.Clear();
        var root = Schema(0);
        if (_definitions.Count > 0)
        {
            if (root is not JsonObject) root = new JsonObject { ["allOf"] = new JsonArray(root) };
            var o = (JsonObject)root;
            o["definitions"] = _definitions.DeepClone();
        }
        return root as JsonObject ?? new JsonObject();
    }

    private bool Chance(double p) => _rng.NextDouble() < p;
    private T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

    private JsonNode Schema(int depth)
    {
        var kinds = depth >= 3
            ? new[] { "string", "integer", "number", "boolean", "null", "enum", "const" }
            : new[] { "string", "integer", "number", "boolean", "null", "enum", "const", "object", "object", "array", "array", "anyOf", "oneOf", "typeArray", "ref", "allOf" };
        var kind = Pick(kinds);
        var s = new JsonObject();
        if (Chance(0.2)) s["description"] = "generated " + kind;
        switch (kind)
        {
            case "string": String(s); break;
            case "integer": Integer(s); break;
            case "number": Number(s); break;
            case "boolean": s["type"] = "boolean"; break;
            case "null": s["type"] = "null"; break;
            case "enum":
                s["enum"] = new JsonArray(Enumerable.Range(0, 1 + _rng.Next(4)).Select(_ => (JsonNode?)Value(0)).DistinctBy(v => v?.ToJsonString()).ToArray());
                break;
            case "const": s["const"] = Value(0); break;
            case "object": Object(s, depth); break;
            case "array": Array(s, depth); break;
            case "anyOf":
                s["anyOf"] = new JsonArray(Enumerable.Range(0, 2 + _rng.Next(2)).Select(_ => Schema(depth + 1)).ToArray());
                break;
            case "oneOf":
                // Distinct types keep the branches disjoint, so "exactly one" holds for every output.
                var types = new[] { "string", "integer", "boolean", "null", "object", "array" }.OrderBy(_ => _rng.Next()).Take(2 + _rng.Next(2));
                s["oneOf"] = new JsonArray(types.Select(t => (JsonNode?)Typed(t, depth + 1)).ToArray());
                break;
            case "typeArray":
                s["type"] = new JsonArray(new[] { "string", "integer", "null", "boolean" }.OrderBy(_ => _rng.Next()).Take(2).Select(t => (JsonNode?)t).ToArray());
                if (Chance(0.5)) s["maxLength"] = 4;
                break;
            case "ref":
                var name = "def" + _definitions.Count;
                _definitions[name] = new JsonObject(); // placeholder keeps the name taken while the body is drawn
                _definitions[name] = Schema(depth + 1);
                s["$ref"] = "#/definitions/" + name;
                break;
            case "allOf":
                var a = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["p"] = Typed("integer", depth + 1) }, ["required"] = new JsonArray("p") };
                var b = new JsonObject { ["properties"] = new JsonObject { ["q"] = Typed("string", depth + 1) } };
                if (Chance(0.5)) b["required"] = new JsonArray("q");
                s["allOf"] = new JsonArray(a, b);
                break;
        }
        return s;
    }

    private JsonObject Typed(string type, int depth)
    {
        var s = new JsonObject();
        switch (type)
        {
            case "string": String(s); break;
            case "integer": Integer(s); break;
            case "object": Object(s, Math.Max(depth, 2)); break;
            case "array": Array(s, Math.Max(depth, 2)); break;
            default: s["type"] = type; break;
        }
        return s;
    }

    private void String(JsonObject s)
    {
        s["type"] = "string";
        double r = _rng.NextDouble();
        if (r < 0.25) s["format"] = Pick(Formats);
        else if (r < 0.55)
        {
            s["pattern"] = Pick(Patterns);
            if (Chance(0.3)) s["maxLength"] = 6 + _rng.Next(10);
        }
        else
        {
            if (Chance(0.6)) s["minLength"] = _rng.Next(4);
            if (Chance(0.6)) s["maxLength"] = (s["minLength"]?.GetValue<int>() ?? 0) + _rng.Next(8);
        }
    }

    private void Integer(JsonObject s)
    {
        s["type"] = "integer";
        long lo = _rng.Next(-1000, 1000);
        long hi = lo + (Chance(0.5) ? _rng.Next(0, 30) : _rng.Next(0, 100000));
        if (Chance(0.6)) { if (Chance(0.3)) s["exclusiveMinimum"] = lo - 1; else s["minimum"] = lo; }
        if (Chance(0.6)) { if (Chance(0.3)) s["exclusiveMaximum"] = hi + 1; else s["maximum"] = hi; }
    }

    private void Number(JsonObject s)
    {
        s["type"] = "number";
        double lo = _rng.Next(-50, 50) + (Chance(0.3) ? 0.5 : 0);
        double hi = lo + _rng.Next(1, 200);
        if (Chance(0.6))
        {
            if (Chance(0.2)) { s["minimum"] = lo; s["exclusiveMinimum"] = true; } // draft 4 form
            else if (Chance(0.4)) s["exclusiveMinimum"] = lo;
            else s["minimum"] = lo;
        }
        if (Chance(0.6))
        {
            if (Chance(0.4)) s["exclusiveMaximum"] = hi;
            else s["maximum"] = hi;
        }
    }

    private void Object(JsonObject s, int depth)
    {
        s["type"] = "object";
        var props = new JsonObject();
        var names = PropertyNames.OrderBy(_ => _rng.Next()).Take(_rng.Next(6)).ToList();
        foreach (var n in names) props[n] = Schema(depth + 1);
        s["properties"] = props;
        var required = names.Where(_ => Chance(0.5)).Select(n => (JsonNode?)n).ToArray();
        if (required.Length > 0 || Chance(0.3)) s["required"] = new JsonArray(required);
        double r = _rng.NextDouble();
        if (r < 0.3) s["additionalProperties"] = false;
        else if (r < 0.45) s["additionalProperties"] = true;
        else if (r < 0.6) s["additionalProperties"] = Typed(Pick(new[] { "integer", "string", "boolean" }), depth + 1);
    }

    private void Array(JsonObject s, int depth)
    {
        s["type"] = "array";
        if (Chance(0.3))
        {
            // The draft 4 tuple form: NJsonSchema does not read 2020-12's prefixItems.
            s["items"] = new JsonArray(Enumerable.Range(0, 1 + _rng.Next(3)).Select(_ => Schema(depth + 1)).ToArray());
            if (Chance(0.5)) s["additionalItems"] = Chance(0.3) ? false : Schema(depth + 1);
        }
        else if (Chance(0.9)) s["items"] = Schema(depth + 1);
        int min = Chance(0.5) ? _rng.Next(3) : 0;
        if (min > 0) s["minItems"] = min;
        if (Chance(0.5)) s["maxItems"] = min + _rng.Next(4);
    }

    private JsonNode? Value(int depth)
    {
        return _rng.Next(depth > 1 ? 5 : 7) switch
        {
            0 => JsonValue.Create(Pick(new[] { "red", "green", "with \"quote\"", "ünï", "", "a\nb" })),
            1 => JsonValue.Create(_rng.Next(-100, 100)),
            2 => JsonValue.Create(Math.Round(_rng.NextDouble() * 100, 2)),
            3 => JsonValue.Create(Chance(0.5)),
            4 => null,
            5 => new JsonObject { ["k"] = Value(depth + 1), ["n"] = Value(depth + 1) },
            _ => new JsonArray(Value(depth + 1), Value(depth + 1)),
        };
    }
}
