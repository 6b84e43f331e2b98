using System.Text.Json;

namespace Ponder.Server.Api;

/// <summary>
/// Typed, validating reads of a request's JSON object. Every wrong type or value becomes a 400 that
/// names the parameter, so the handlers never see a malformed value (validation at the edge).
/// Hand-written rather than model binding because OpenAI's fields are polymorphic (prompt: string,
/// strings, token ids; stop: string or list) and each error must name the field the way OpenAI does.
/// </summary>
public readonly struct JsonFields(JsonElement obj, string prefix = "")
{
    public JsonElement Element => obj;

    public static JsonFields Root(JsonElement e)
    {
        if (e.ValueKind != JsonValueKind.Object)
            throw ApiException.BadRequest($"the request body must be a JSON object, not {Kind(e)}");
        return new JsonFields(e);
    }

    string Name(string field) => prefix + field;

    public bool Has(string field) => obj.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null;

    public JsonElement? Get(string field) =>
        obj.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    public string? String(string field)
    {
        if (Get(field) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.String) throw Wrong(field, "a string", v);
        return v.GetString();
    }

    public string RequiredString(string field) =>
        String(field) ?? throw ApiException.BadRequest($"'{Name(field)}' is required", Name(field), "missing_required_parameter");

    public bool? Bool(string field)
    {
        if (Get(field) is not { } v) return null;
        if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False)) throw Wrong(field, "a boolean", v);
        return v.GetBoolean();
    }

    public double? Number(string field, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        if (Get(field) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double d) || !double.IsFinite(d)) throw Wrong(field, "a number", v);
        if (d < min || d > max)
            throw ApiException.BadRequest($"'{Name(field)}' is {d}; it must be between {min} and {max}", Name(field), "invalid_value");
        return d;
    }

    public long? Integer(string field, long min = long.MinValue, long max = long.MaxValue)
    {
        if (Get(field) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.Number) throw Wrong(field, "an integer", v);
        if (!v.TryGetInt64(out long l))
        {
            // 3.0 is an integer to JSON Schema; 3.5 and 1e30 are not.
            if (v.TryGetDouble(out double d) && d == Math.Floor(d) && Math.Abs(d) < 9e15) l = (long)d;
            else throw Wrong(field, "an integer", v);
        }
        if (l < min || l > max)
            throw ApiException.BadRequest($"'{Name(field)}' is {l}; it must be between {min} and {max}", Name(field), "invalid_value");
        return l;
    }

    public JsonFields? Object(string field)
    {
        if (Get(field) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.Object) throw Wrong(field, "an object", v);
        return new JsonFields(v, Name(field) + ".");
    }

    public JsonElement? Array(string field)
    {
        if (Get(field) is not { } v) return null;
        if (v.ValueKind != JsonValueKind.Array) throw Wrong(field, "an array", v);
        return v;
    }

    /// <summary>OpenAI's <c>stop</c>: a string or up to 4 strings (we allow 16).</summary>
    public IReadOnlyList<string> Stop(string field)
    {
        if (Get(field) is not { } v) return [];
        if (v.ValueKind == JsonValueKind.String)
            return v.GetString() is { Length: > 0 } s ? [s] : throw ApiException.BadRequest($"'{Name(field)}' must not be empty", Name(field), "invalid_value");
        if (v.ValueKind != JsonValueKind.Array) throw Wrong(field, "a string or an array of strings", v);
        var list = new List<string>();
        foreach (var item in v.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || item.GetString() is not { Length: > 0 } s)
                throw ApiException.BadRequest($"'{Name(field)}' must contain only non-empty strings", Name(field), "invalid_type");
            list.Add(s);
        }
        if (list.Count > 16) throw ApiException.BadRequest($"'{Name(field)}' has {list.Count} strings; at most 16 are allowed", Name(field), "invalid_value");
        return list;
    }

    ApiException Wrong(string field, string expected, JsonElement got) =>
        ApiException.BadRequest($"'{Name(field)}' must be {expected}, not {Kind(got)}", Name(field), "invalid_type");

    public static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
