using System.Text;
using System.Text.Json.Nodes;
using static Ponder.Grammars.Generation.GbnfRepeat;

namespace Ponder.Grammars.Schema;

internal sealed partial class JsonSchemaConverter
{
    /// <summary>
    /// Arrays: the prefixItems (or draft 4 array-form items) one by one, then items (or
    /// additionalItems) repeated, with minItems/maxItems counted over both.
    /// </summary>
    private string VisitArray(JsonObject o, string ptr, string name)
    {
        string sp = Sp;
        var prefix = new List<string>();
        JsonNode? rest;
        string restPtr;
        bool restAllowed = true;

        string prefixKeyword = o["prefixItems"] is not null ? "prefixItems" : o["items"] is JsonArray ? "items" : "";
        if (prefixKeyword.Length > 0)
        {
            var prefixPtr = JsonPointer.Append(ptr, prefixKeyword);
            if (o[prefixKeyword] is not JsonArray items)
                throw new JsonSchemaException(prefixPtr, prefixKeyword, "must be an array of schemas");
            for (int i = 0; i < items.Count; i++)
            {
                var hint = $"{name}-item-{i}";
                prefix.Add(Rule(hint, Visit(items[i], JsonPointer.Append(prefixPtr, i), hint)));
            }
            string restKeyword = prefixKeyword == "prefixItems" ? "items" : "additionalItems";
            rest = o[restKeyword];
            restPtr = JsonPointer.Append(ptr, restKeyword);
            // prefixItems without items: more items of any value by the spec; none in strict mode.
            if (rest is null) restAllowed = !_options.Strict;
        }
        else
        {
            rest = o["items"];
            restPtr = JsonPointer.Append(ptr, "items");
        }
        if (rest is JsonValue rv && rv.TryGetValue<bool>(out bool rb)) { restAllowed &= rb; rest = null; }

        int minItems = NonNegativeInt(o, "minItems", ptr) ?? 0;
        int? maxItems = NonNegativeInt(o, "maxItems", ptr);
        if (minItems > maxItems)
            throw new JsonSchemaException(JsonPointer.Append(ptr, "minItems"), "minItems",
                $"minItems ({minItems}) is above maxItems ({maxItems}), so no array satisfies the schema");
        if (!restAllowed) maxItems = Math.Min(maxItems ?? prefix.Count, prefix.Count);
        if (minItems > maxItems)
            throw new JsonSchemaException(JsonPointer.Append(ptr, "minItems"), "minItems",
                $"minItems ({minItems}) is above the {maxItems} items the schema allows, so no array satisfies it");
        if (o["uniqueItems"] is JsonValue uv && uv.TryGetValue<bool>(out bool unique) && unique && (maxItems ?? int.MaxValue) > 1)
            throw new JsonSchemaException(JsonPointer.Append(ptr, "uniqueItems"), "uniqueItems",
                "uniqueItems: true cannot be expressed as a grammar (it holds only with maxItems of 0 or 1)");

        string? item = null;
        if (restAllowed)
        {
            var hint = name + "-item";
            item = rest is null ? _prim.Get("value") : Rule(hint, Visit(rest, restPtr, hint));
        }

        string sep = $"\",\"{sp}";
        var sb = new StringBuilder();
        sb.Append("\"[\"").Append(sp);
        var body = ElementList(prefix, item, minItems, maxItems, sep);
        if (body.Length > 0) sb.Append(' ').Append(body);
        sb.Append(" \"]\"").Append(sp);
        return sb.ToString();
    }

    /// <summary>
    /// Comma-separated elements: position i is prefix[i] while i &lt; prefix.Count, then
    /// <paramref name="item"/>; between <paramref name="min"/> and <paramref name="max"/> of them.
    /// </summary>
    private static string ElementList(List<string> prefix, string? item, int min, int? max, string sep)
    {
        string At(int i) => i < prefix.Count ? prefix[i] : item!;

        // The optional part from position `pos` on, each element preceded by a separator.
        string Optional(int pos)
        {
            if (pos >= max) return "";
            if (pos < prefix.Count)
            {
                var inner = Optional(pos + 1);
                return $"( {sep} {prefix[pos]}{(inner.Length > 0 ? " " + inner : "")} )?";
            }
            if (item is null) return "";
            return Repeat($"( {sep} {item} )", 0, max - pos);
        }

        if (max == 0) return "";
        var parts = new List<string>();
        if (min == 0)
        {
            var tail = Optional(1);
            return $"( {At(0)}{(tail.Length > 0 ? " " + tail : "")} )?";
        }
        // Mandatory elements: the prefix ones one by one, the rest as a counted repetition.
        int fixedPrefix = Math.Min(min, prefix.Count);
        for (int i = 0; i < fixedPrefix; i++) parts.Add(i == 0 ? prefix[i] : $"{sep} {prefix[i]}");
        int restMandatory = min - fixedPrefix;
        if (restMandatory > 0)
        {
            if (parts.Count == 0)
            {
                parts.Add(item!);
                restMandatory--;
            }
            if (restMandatory > 0) parts.Add(Repeat($"( {sep} {item} )", restMandatory, restMandatory));
        }
        var optional = Optional(min);
        if (optional.Length > 0) parts.Add(optional);
        return string.Join(" ", parts);
    }
}
