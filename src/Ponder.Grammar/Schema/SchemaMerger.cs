using System.Text.Json.Nodes;

namespace Ponder.Grammars.Schema;

/// <summary>
/// Reduces allOf (and $ref with sibling keywords) to one schema: an intersection is only
/// expressible as a grammar when the parts can be folded into a single schema, keyword by
/// keyword. What cannot be folded (two different patterns, two different formats, prefixItems of
/// different lengths) is refused with the pointer of the allOf.
/// </summary>
internal sealed class SchemaMerger(JsonSchemaConverter converter)
{
    private const int MaxExpansions = 200;
    private const int MaxAlternatives = 64;

    /// <summary>The intersection of <paramref name="parts"/> as one schema object without allOf or a top-level $ref.</summary>
    public JsonObject Merge(IEnumerable<(JsonNode? Schema, string Pointer)> parts, string atPointer)
    {
        var flat = new List<(JsonObject Schema, string Pointer)>();
        int expansions = 0;
        var queue = new Queue<(JsonNode? Schema, string Pointer)>(parts);
        while (queue.Count > 0)
        {
            var (schema, ptr) = queue.Dequeue();
            if (++expansions > MaxExpansions)
                throw new JsonSchemaException(atPointer, "allOf", "allOf and $ref expand without end (a recursive $ref inside allOf cannot be merged)");
            switch (schema)
            {
                case JsonValue v when v.TryGetValue<bool>(out bool b):
                    if (!b) throw new JsonSchemaException(ptr, null, "the schema 'false' accepts no value, so the allOf containing it is unsatisfiable");
                    continue;
                case JsonObject o:
                    converter.CheckKeywords(o, ptr);
                    var rest = new JsonObject();
                    foreach (var (k, val) in o)
                    {
                        if (k is "$ref" or "allOf") continue;
                        rest[k] = val?.DeepClone();
                    }
                    if (o["$ref"] is JsonNode r)
                    {
                        var (target, targetPtr) = converter.ResolveRef(r, JsonPointer.Append(ptr, "$ref"));
                        queue.Enqueue((target, targetPtr));
                    }
                    if (o["allOf"] is JsonNode all)
                    {
                        if (all is not JsonArray arr || arr.Count == 0)
                            throw new JsonSchemaException(JsonPointer.Append(ptr, "allOf"), "allOf", "must be a non-empty array of schemas");
                        for (int i = 0; i < arr.Count; i++) queue.Enqueue((arr[i], JsonPointer.Append(JsonPointer.Append(ptr, "allOf"), i)));
                    }
                    flat.Add((JsonSchemaConverter.NormalizeDraft4(rest), ptr));
                    continue;
                default:
                    throw new JsonSchemaException(ptr, null, "a schema must be an object or a boolean");
            }
        }
        return Fold(flat, atPointer);
    }

    private JsonObject Fold(List<(JsonObject Schema, string Pointer)> parts, string at)
    {
        var acc = new JsonObject();
        var alternativeLists = new List<JsonArray>();
        foreach (var (part, ptr) in parts)
        {
            foreach (var (k, v) in part)
            {
                if (JsonSchemaKeywords.Annotations.Contains(k) || v is null && k != "const") continue;
                var val = v?.DeepClone();
                switch (k)
                {
                    case "type":
                        acc["type"] = acc["type"] is null ? val : IntersectTypes(acc["type"]!, val!, at);
                        break;
                    case "properties":
                        var props = acc["properties"] as JsonObject ?? new JsonObject();
                        acc["properties"] = props;
                        foreach (var (name, s) in (JsonObject)val!)
                        {
                            var sc = s?.DeepClone();
                            props[name] = props[name] is JsonNode old ? new JsonObject { ["allOf"] = new JsonArray(old.DeepClone(), sc) } : sc;
                        }
                        break;
                    case "required":
                        var req = acc["required"] as JsonArray ?? new JsonArray();
                        acc["required"] = req;
                        foreach (var n in (JsonArray)val!)
                            if (!req.Any(x => x?.GetValue<string>() == n?.GetValue<string>())) req.Add(n?.DeepClone());
                        break;
                    case "additionalProperties" or "items" or "additionalItems":
                        if (val is JsonArray && k == "items") goto case "prefixItems";
                        acc[k] = acc[k] is JsonNode prev ? AllOf(prev, val) : val;
                        break;
                    case "prefixItems":
                        var items = (JsonArray)val!;
                        if (acc["prefixItems"] is JsonArray prevItems)
                        {
                            if (prevItems.Count != items.Count)
                                throw new JsonSchemaException(at, "allOf", "parts with prefixItems of different lengths cannot be merged");
                            var merged = new JsonArray();
                            for (int i = 0; i < items.Count; i++) merged.Add(AllOf(prevItems[i]!, items[i]));
                            acc["prefixItems"] = merged;
                        }
                        else acc["prefixItems"] = items;
                        break;
                    case "minLength" or "minItems" or "minProperties" or "minimum" or "exclusiveMinimum":
                        acc[k] = acc[k] is JsonNode lo && lo.GetValue<decimal>() >= val!.GetValue<decimal>() ? lo : val;
                        break;
                    case "maxLength" or "maxItems" or "maxProperties" or "maximum" or "exclusiveMaximum":
                        acc[k] = acc[k] is JsonNode hi && hi.GetValue<decimal>() <= val!.GetValue<decimal>() ? hi : val;
                        break;
                    case "enum" or "const":
                        var values = k == "const" ? new JsonArray(val) : (JsonArray)val!;
                        acc["enum"] = acc["enum"] is JsonArray prevEnum ? IntersectEnums(prevEnum, values) : values;
                        if (((JsonArray)acc["enum"]!).Count == 0)
                            throw new JsonSchemaException(at, "allOf", "the parts' enum/const values have nothing in common");
                        break;
                    case "pattern" or "format" or "multipleOf":
                        if (acc[k] is JsonNode same && JsonLiteral.Write(same) != JsonLiteral.Write(val))
                            throw new JsonSchemaException(at, "allOf", $"parts with two different '{k}' values cannot be merged into one grammar");
                        acc[k] = val;
                        break;
                    case "patternProperties":
                        if (acc[k] is JsonNode samePattern && JsonLiteral.Write(samePattern) != JsonLiteral.Write(val))
                            throw new JsonSchemaException(at, "allOf", "parts with different patternProperties cannot be merged into one grammar");
                        acc[k] = val;
                        break;
                    case "uniqueItems":
                        acc[k] = acc[k] is JsonNode u && u.GetValue<bool>() || val!.GetValue<bool>();
                        break;
                    case "nullable":
                        break; // handled below: nullable only if every part says so
                    case "anyOf" or "oneOf":
                        alternativeLists.Add((JsonArray)val!);
                        break;
                    default:
                        acc[k] = val; // unknown keywords: kept, they are ignored later anyway
                        break;
                }
            }
        }
        if (parts.Count > 0 && parts.All(p => p.Schema["nullable"] is JsonValue nv && nv.TryGetValue<bool>(out bool nb) && nb))
            acc["nullable"] = true;
        ApplyAdditionalProperties(acc, parts, at);
        if (alternativeLists.Count == 0) return acc;

        // X and anyOf(A, B) = anyOf(X and A, X and B): the alternatives are distributed over the rest.
        var combos = new List<List<JsonNode?>> { new() };
        foreach (var list in alternativeLists)
        {
            var next = new List<List<JsonNode?>>();
            foreach (var c in combos)
                foreach (var alt in list)
                    next.Add([.. c, alt]);
            if (next.Count > MaxAlternatives)
                throw new JsonSchemaException(at, "allOf", $"distributing anyOf/oneOf over allOf gives more than {MaxAlternatives} alternatives");
            combos = next;
        }
        var anyOf = new JsonArray();
        foreach (var c in combos)
        {
            var branch = new JsonObject { ["allOf"] = new JsonArray([acc.DeepClone(), .. c.Select(x => x?.DeepClone())]) };
            anyOf.Add(branch);
        }
        return new JsonObject { ["anyOf"] = anyOf };
    }

    /// <summary>
    /// additionalProperties in one part constrains the properties other parts declare: a part
    /// with "false" forbids them, a part with a schema adds that schema to them.
    /// </summary>
    private static void ApplyAdditionalProperties(JsonObject acc, List<(JsonObject Schema, string Pointer)> parts, string at)
    {
        if (acc["properties"] is not JsonObject props) return;
        var required = (acc["required"] as JsonArray)?.Select(n => n?.GetValue<string>()).ToHashSet() ?? [];
        foreach (var (part, ptr) in parts)
        {
            var ap = part["additionalProperties"];
            if (ap is null) continue;
            var own = part["properties"] as JsonObject;
            foreach (var name in props.Select(p => p.Key).ToList())
            {
                if (own is not null && own.ContainsKey(name)) continue;
                if (ap is JsonValue v && v.TryGetValue<bool>(out bool allowed))
                {
                    if (allowed) continue;
                    if (required.Contains(name))
                        throw new JsonSchemaException(JsonPointer.Append(ptr, "additionalProperties"), "additionalProperties",
                            $"required property '{name}' is forbidden by this part of the allOf, so no object satisfies it");
                    props.Remove(name);
                }
                else props[name] = AllOf(props[name]!, ap.DeepClone());
            }
        }
    }

    private static JsonObject AllOf(JsonNode a, JsonNode? b) => new() { ["allOf"] = new JsonArray(a.DeepClone(), b?.DeepClone()) };

    private static JsonNode IntersectTypes(JsonNode a, JsonNode b, string at)
    {
        var sa = TypeSet(a);
        var sb = TypeSet(b);
        var result = new List<string>();
        foreach (var t in sa)
        {
            if (sb.Contains(t)) result.Add(t);
            else if (t == "number" && sb.Contains("integer") || t == "integer" && sb.Contains("number")) result.Add("integer");
        }
        result = result.Distinct().ToList();
        if (result.Count == 0) throw new JsonSchemaException(at, "allOf", "the parts' types have nothing in common");
        return new JsonArray(result.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray());
    }

    private static List<string> TypeSet(JsonNode t) =>
        t is JsonArray arr ? arr.Select(x => x!.GetValue<string>()).ToList() : [t.GetValue<string>()];

    private static JsonArray IntersectEnums(JsonArray a, JsonArray b)
    {
        var inB = b.Select(JsonLiteral.Write).ToHashSet(StringComparer.Ordinal);
        return new JsonArray(a.Where(x => inB.Contains(JsonLiteral.Write(x))).Select(x => x?.DeepClone()).ToArray());
    }
}
