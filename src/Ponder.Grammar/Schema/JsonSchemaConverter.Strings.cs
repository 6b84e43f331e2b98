using System.Text.Json.Nodes;
using Ponder.Grammars.Patterns;
using static Ponder.Grammars.Generation.GbnfRepeat;

namespace Ponder.Grammars.Schema;

internal sealed partial class JsonSchemaConverter
{
    private string VisitString(JsonObject o, string ptr, string name)
    {
        string sp = Sp;
        int? minLength = NonNegativeInt(o, "minLength", ptr);
        int? maxLength = NonNegativeInt(o, "maxLength", ptr);
        if (minLength > maxLength)
            throw new JsonSchemaException(JsonPointer.Append(ptr, "minLength"), "minLength",
                $"minLength ({minLength}) is above maxLength ({maxLength}), so no string satisfies the schema");
        bool bounded = minLength > 0 || maxLength is not null;

        string? pattern = null;
        if (o["pattern"] is JsonNode pn)
        {
            if (pn is not JsonValue pv || !pv.TryGetValue<string>(out pattern))
                throw new JsonSchemaException(JsonPointer.Append(ptr, "pattern"), "pattern", "must be a string");
        }
        string? format = null;
        if (o["format"] is JsonValue fv && fv.TryGetValue<string>(out var f) && StringFormats.IsKnown(f)) format = f;

        if (pattern is not null)
        {
            var patternPtr = JsonPointer.Append(ptr, "pattern");
            if (format is not null)
                throw new JsonSchemaException(patternPtr, "pattern", $"pattern together with format '{format}' cannot be expressed as one grammar");
            try
            {
                var tree = RegexParser.Parse(pattern);
                if (bounded) tree = RegexLengths.Tighten(tree, pattern, minLength ?? 0, maxLength);
                var content = RegexToGbnf.JsonStringContent(tree, pattern, _prim.Get("char"), bmpOnly: bounded);
                return Rule(name, $"\"\\\"\" {Rule(name + "-content", content)} \"\\\"\"{sp}");
            }
            catch (RegexPatternException e)
            {
                throw new JsonSchemaException(patternPtr, "pattern", e.Message, e);
            }
        }

        if (format is not null)
        {
            var (fmin, fmax) = StringFormats.Lengths(format);
            if (fmin < (minLength ?? 0) || maxLength is not null && (fmax is null || fmax > maxLength))
                throw new JsonSchemaException(JsonPointer.Append(ptr, "format"), "format",
                    $"format '{format}' strings are {fmin}..{(fmax?.ToString() ?? "any")} characters long, which minLength/maxLength do not allow in full");
            return $"\"\\\"\" {StringFormats.Rule(format, _rules)} \"\\\"\"{sp}";
        }

        if (!bounded) return _prim.Get("string");
        var ch = _prim.Get("bmp-char");
        var chars = Repeat(ch, minLength ?? 0, maxLength);
        return chars.Length == 0 ? $"\"\\\"\\\"\"{sp}" : $"\"\\\"\" {chars} \"\\\"\"{sp}";
    }
}
