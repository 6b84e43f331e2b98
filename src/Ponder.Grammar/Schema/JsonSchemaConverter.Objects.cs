using Ponder.Grammars.Patterns;
using System.Text;
using System.Text.Json.Nodes;
using static Ponder.Grammars.Generation.GbnfRepeat;

namespace Ponder.Grammars.Schema;

internal sealed partial class JsonSchemaConverter
{
    /// <summary>
    /// Objects are written with required properties first, then any subset of the optional ones,
    /// each in declaration order (llama.cpp's layout), then additional properties if allowed.
    /// A fixed order keeps the grammar linear in the number of properties.
    /// </summary>
    private string VisitObjectType(JsonObject o, string ptr, string name)
    {
        string sp = Sp;
        var propsPtr = JsonPointer.Append(ptr, "properties");
        var props = new List<(string Name, JsonNode? Schema, string Ptr)>();
        if (o["properties"] is JsonNode pn)
        {
            if (pn is not JsonObject po) throw new JsonSchemaException(propsPtr, "properties", "must be an object");
            foreach (var (k, v) in po) props.Add((k, v, JsonPointer.Append(propsPtr, k)));
        }

        var required = new List<string>();
        if (o["required"] is JsonNode rn)
        {
            if (rn is not JsonArray ra || ra.Any(x => x is not JsonValue xv || !xv.TryGetValue<string>(out _)))
                throw new JsonSchemaException(JsonPointer.Append(ptr, "required"), "required", "must be an array of property names");
            foreach (var x in ra) if (!required.Contains(x!.GetValue<string>())) required.Add(x!.GetValue<string>());
        }

        // additionalProperties: absent means "allowed" by the spec, "not allowed" in strict mode.
        var apPtr = JsonPointer.Append(ptr, "additionalProperties");
        JsonNode? additional = o["additionalProperties"];
        bool additionalAllowed;
        if (additional is null) additionalAllowed = !_options.Strict;
        else if (additional is JsonValue av && av.TryGetValue<bool>(out bool ab)) { additionalAllowed = ab; additional = null; }
        else if (additional is JsonObject) additionalAllowed = true;
        else throw new JsonSchemaException(apPtr, "additionalProperties", "must be a boolean or a schema");

        // patternProperties, in the one form a grammar can honour exactly: a single pattern and no other keys.
        // Extra keys are then written from the pattern, so each matches it and its schema is the one that applies.
        string? patternKey = null;
        if (o["patternProperties"] is JsonNode ppn)
        {
            var ppPtr = JsonPointer.Append(ptr, "patternProperties");
            if (ppn is not JsonObject pp) throw new JsonSchemaException(ppPtr, "patternProperties", "must be an object");
            if (pp.Count > 1)
                throw new JsonSchemaException(ppPtr, "patternProperties", "more than one pattern is not supported (a key may match several)");
            if (pp.Count == 1)
            {
                if (props.Count > 0 || required.Count > 0)
                    throw new JsonSchemaException(ppPtr, "patternProperties", "patternProperties beside properties or required is not supported");
                if (additionalAllowed)
                    throw new JsonSchemaException(ppPtr, "patternProperties",
                        "patternProperties is supported only with additionalProperties: false (or absent in strict mode)");
                var (pattern, patternSchema) = pp.First();
                var patternPtr = JsonPointer.Append(ppPtr, pattern);
                try
                {
                    var content = RegexToGbnf.JsonStringContent(RegexParser.Parse(pattern), pattern, _prim.Get("char"), bmpOnly: false);
                    patternKey = Rule(name + "-pattern-key-content", content);
                }
                catch (RegexPatternException e)
                {
                    throw new JsonSchemaException(patternPtr, "patternProperties", e.Message, e);
                }
                additional = patternSchema ?? JsonValue.Create(true);
                apPtr = patternPtr;
                additionalAllowed = true;
            }
        }

        // A required name that is not declared is an additional property that must be present.
        foreach (var r in required)
        {
            if (props.Any(p => p.Name == r)) continue;
            if (!additionalAllowed)
                throw new JsonSchemaException(JsonPointer.Append(ptr, "required"), "required",
                    $"property '{r}' is required but additional properties are not allowed and it is not declared, so no object satisfies the schema");
            props.Add((r, additional ?? JsonValue.Create(true), additional is null ? ptr : apPtr));
        }

        var requiredKvs = new List<string>();
        var optionalKvs = new List<string>();
        foreach (bool wantRequired in new[] { true, false })
        {
            foreach (var (propName, schema, propPtr) in props)
            {
                if (required.Contains(propName) != wantRequired) continue;
                var hint = name == "root" ? propName : name + "-" + propName;
                var value = Rule(hint, Visit(schema, propPtr, hint));
                var kv = Rule(hint + "-kv", $"{Key(propName)}{sp} \":\"{sp} {value}");
                (wantRequired ? requiredKvs : optionalKvs).Add(kv);
            }
        }

        int minProps = NonNegativeInt(o, "minProperties", ptr) ?? 0;
        int? maxProps = NonNegativeInt(o, "maxProperties", ptr);
        int declared = requiredKvs.Count + optionalKvs.Count;
        if (maxProps < requiredKvs.Count)
            throw new JsonSchemaException(JsonPointer.Append(ptr, "maxProperties"), "maxProperties",
                $"is {maxProps} but {requiredKvs.Count} properties are required, so no object satisfies the schema");
        if (minProps > declared && !additionalAllowed)
            throw new JsonSchemaException(JsonPointer.Append(ptr, "minProperties"), "minProperties",
                $"is {minProps} but only {declared} properties may appear, so no object satisfies the schema");

        // Additional properties count toward min/maxProperties; bounds are honoured only where
        // the count is fixed by the layout (else the keyword is refused, not approximated).
        int addMin = 0;
        int? addMax = null;
        // One more than the required ones, and only declared optional properties: at least one of them
        // (the chain without its "?"); common for objects of optional settings that must not be empty.
        bool chainRequired = minProps == requiredKvs.Count + 1 && optionalKvs.Count > 0 && !additionalAllowed;
        if (minProps > requiredKvs.Count && !chainRequired)
        {
            if (optionalKvs.Count > 0 || !additionalAllowed)
                throw new JsonSchemaException(JsonPointer.Append(ptr, "minProperties"), "minProperties",
                    "minProperties above the number of required properties is supported only for objects of additional properties alone");
            addMin = minProps - requiredKvs.Count;
        }
        if (maxProps is int mp)
        {
            if (mp < declared && optionalKvs.Count > 0)
                throw new JsonSchemaException(JsonPointer.Append(ptr, "maxProperties"), "maxProperties",
                    "maxProperties below the number of declared properties is supported only when all of them are required");
            if (additionalAllowed) addMax = mp - declared;
        }
        if (addMax == 0 && addMin == 0) additionalAllowed = false;

        string? additionalKv = null;
        if (additionalAllowed)
        {
            var valueRule = additional is null ? _prim.Get("value") : Rule(name + "-additional", Visit(additional, apPtr, name + "-additional"));
            var keyRule = Rule(name + "-additional-key", patternKey is not null
                ? $"\"\\\"\" {patternKey} \"\\\"\"{sp}"
                : KeyExclusion.Expression(props.Select(p => p.Name), _prim.Get("char"), sp));
            additionalKv = Rule(name + "-additional-kv", $"{keyRule} \":\"{sp} {valueRule}");
        }

        var sb = new StringBuilder();
        sb.Append("\"{\"").Append(sp);
        string sep = $"\",\"{sp}";
        string? optionalChain = optionalKvs.Count > 0 ? OptionalChain(optionalKvs, name, sep) : null;
        if (requiredKvs.Count > 0)
        {
            sb.Append(' ').Append(string.Join($" {sep} ", requiredKvs));
            if (optionalChain is not null) sb.Append($" ( {sep} {optionalChain} )").Append(chainRequired ? "" : "?");
            if (additionalKv is not null) sb.Append(' ').Append(Repeat($"( {sep} {additionalKv} )", addMin, addMax));
        }
        else
        {
            var alternatives = new List<string>();
            if (optionalChain is not null)
                alternatives.Add(additionalKv is null ? optionalChain : $"{optionalChain} {Repeat($"( {sep} {additionalKv} )", 0, addMax)}".TrimEnd());
            if (additionalKv is not null)
            {
                int restMin = Math.Max(0, addMin - 1);
                int? restMax = addMax - 1;
                alternatives.Add($"{additionalKv} {Repeat($"( {sep} {additionalKv} )", restMin, restMax)}".TrimEnd());
            }
            if (alternatives.Count > 0)
                sb.Append(" ( ").Append(string.Join(" | ", alternatives)).Append(addMin > 0 || chainRequired ? " )" : " )?");
        }
        sb.Append(" \"}\"").Append(sp);
        return sb.ToString();
    }

    /// <summary>
    /// Any non-empty subset of <paramref name="kvs"/> in order, comma-separated: S_i = kv_i ("," S_i+1)? | S_i+1.
    /// Each subset has exactly one derivation, and the grammar is linear in the number of properties.
    /// </summary>
    private string OptionalChain(List<string> kvs, string name, string sep)
    {
        string next = kvs[^1];
        for (int i = kvs.Count - 2; i >= 0; i--)
            next = Rule($"{name}-rest-{i}", $"{kvs[i]} ( {sep} {next} )? | {next}");
        return next;
    }

    private int? NonNegativeInt(JsonObject o, string keyword, string ptr)
    {
        if (o[keyword] is not JsonNode n) return null;
        if (n is JsonValue v && v.TryGetValue<decimal>(out var d) && d >= 0 && d == decimal.Truncate(d))
            return d > int.MaxValue ? int.MaxValue : (int)d;
        throw new JsonSchemaException(JsonPointer.Append(ptr, keyword), keyword, "must be a non-negative integer");
    }
}
