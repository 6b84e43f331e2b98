using System.Text;
using System.Text.Json.Nodes;

namespace Ponder.Grammars.Schema;

/// <summary>JSON pointers in URI-fragment form ("#/properties/a~1b/items"), as error messages and $ref use them.</summary>
internal static class JsonPointer
{
    /// <summary><paramref name="pointer"/> with one more segment, escaped per RFC 6901.</summary>
    public static string Append(string pointer, string segment) =>
        pointer + "/" + segment.Replace("~", "~0").Replace("/", "~1");

    public static string Append(string pointer, int index) => pointer + "/" + index;

    /// <summary>
    /// Follows a local pointer ("#" or "#/a/b") from <paramref name="root"/>; null when a segment
    /// does not exist. Segments are percent-decoded (URI fragment form) and then ~1/~0-unescaped.
    /// </summary>
    public static JsonNode? Resolve(JsonNode root, string pointer, out bool found)
    {
        found = false;
        if (!pointer.StartsWith('#')) return null;
        var path = Uri.UnescapeDataString(pointer[1..]);
        JsonNode? node = root;
        if (path.Length == 0) { found = true; return node; }
        if (path[0] != '/') return null;
        foreach (var raw in path[1..].Split('/'))
        {
            var seg = raw.Replace("~1", "/").Replace("~0", "~");
            switch (node)
            {
                case JsonObject o when o.TryGetPropertyValue(seg, out var child):
                    node = child;
                    break;
                case JsonArray a when int.TryParse(seg, out int i) && i >= 0 && i < a.Count:
                    node = a[i];
                    break;
                default:
                    return null;
            }
        }
        found = true;
        return node;
    }

    /// <summary>A readable rule name from the last segments of a pointer ("#/$defs/Person" → "Person").</summary>
    public static string NameHint(string pointer)
    {
        var segs = pointer.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segs.Length == 0) return "schema";
        var sb = new StringBuilder();
        var last = segs[^1].Replace("~1", "/").Replace("~0", "~");
        sb.Append(last);
        return sb.ToString();
    }
}
