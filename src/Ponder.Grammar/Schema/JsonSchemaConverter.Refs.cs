using System.Text.Json.Nodes;

namespace Ponder.Grammars.Schema;

internal sealed partial class JsonSchemaConverter
{
    /// <summary>The rule for a $ref target: one rule per target, named before its body is built so recursion can refer to it.</summary>
    private string RefRule(JsonNode refNode, string refPtr)
    {
        var (target, targetPtr) = ResolveRef(refNode, refPtr);
        if (_refRules.TryGetValue(targetPtr, out var existing)) return existing;
        RejectAliasCycle(target, targetPtr, refPtr);
        var name = _rules.Reserve(JsonPointer.NameHint(targetPtr));
        _refRules[targetPtr] = name;
        _rules.Define(name, Visit(target, targetPtr, name));
        return name;
    }

    /// <summary>
    /// Resolves a local reference: "#", "#/json/pointer", "#anchor", or any of these after the
    /// document's own $id. References to other documents are refused: nothing is fetched.
    /// </summary>
    public (JsonNode? Target, string Pointer) ResolveRef(JsonNode refNode, string refPtr)
    {
        if (refNode is not JsonValue v || !v.TryGetValue<string>(out var r))
            throw new JsonSchemaException(refPtr, "$ref", "must be a string");
        if (_rootId is { Length: > 0 } && r.StartsWith(_rootId, StringComparison.Ordinal)) r = r[_rootId.Length..];
        if (r.Length == 0) r = "#";
        if (!r.StartsWith('#'))
            throw new JsonSchemaException(refPtr, "$ref", $"'{r}' refers to another document; only local references (#/...) are supported");
        if (r.Length > 1 && r[1] != '/')
        {
            var anchor = r[1..];
            var found = FindAnchor(_root, anchor, "#");
            if (found is null) throw new JsonSchemaException(refPtr, "$ref", $"no schema has $anchor '{anchor}'");
            return found.Value;
        }
        var target = JsonPointer.Resolve(_root, r, out bool ok);
        if (!ok) throw new JsonSchemaException(refPtr, "$ref", $"'{r}' points at nothing in this document");
        return (target, r);
    }

    private static (JsonNode? Target, string Pointer)? FindAnchor(JsonNode? node, string anchor, string ptr)
    {
        switch (node)
        {
            case JsonObject o:
                if (o["$anchor"] is JsonValue a && a.TryGetValue<string>(out var s) && s == anchor) return (o, ptr);
                if (o["$id"] is JsonValue i && i.TryGetValue<string>(out var id) && id == "#" + anchor) return (o, ptr);
                foreach (var (k, v) in o)
                    if (FindAnchor(v, anchor, JsonPointer.Append(ptr, k)) is { } hit) return hit;
                break;
            case JsonArray arr:
                for (int j = 0; j < arr.Count; j++)
                    if (FindAnchor(arr[j], anchor, JsonPointer.Append(ptr, j)) is { } hit) return hit;
                break;
        }
        return null;
    }

    /// <summary>a → b → a with nothing else in between has no value at all; say so instead of emitting a looping rule.</summary>
    private void RejectAliasCycle(JsonNode? target, string targetPtr, string refPtr)
    {
        var seen = new List<string> { targetPtr };
        while (target is JsonObject o && o["$ref"] is JsonNode next && !HasConstraints(o, except: "$ref"))
        {
            (target, var ptr) = ResolveRef(next, JsonPointer.Append(seen[^1], "$ref"));
            if (seen.Contains(ptr))
                throw new JsonSchemaException(refPtr, "$ref", $"references loop without a schema in between: {string.Join(" -> ", seen)} -> {ptr}");
            seen.Add(ptr);
        }
    }
}
