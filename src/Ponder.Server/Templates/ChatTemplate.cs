using System.Globalization;

namespace Ponder.Server.Templates;

/// <summary>One message of a conversation as a template sees it: role, content, and any other fields
/// the request carried (tool_calls, name, …) in their JSON form.</summary>
public sealed record TemplateMessage(string Role, string? Content, IReadOnlyDictionary<string, object?>? Extra = null);

/// <summary>
/// A model's chat template (the GGUF <c>tokenizer.chat_template</c>, a Jinja2 template from
/// Hugging Face), compiled once and rendered per request.
/// </summary>
/// <remarks>
/// Written here because no Jinja engine exists on NuGet for .NET (the Scriban/Fluid engines speak
/// Liquid, whose syntax and semantics differ). It covers what real chat templates use: for / if /
/// elif / else / set / macro / namespace(), loop.*, filters (trim, tojson, length, default, join,
/// selectattr, map, …), tests (defined, none, string, …), string methods (strip, startswith, split,
/// …), raise_exception, strftime_now, and Hugging Face's environment options (trim_blocks,
/// lstrip_blocks, tojson without ASCII escaping). Unknown tags, filters or tests fail at
/// <see cref="Parse"/> with the line, so the server can fall back at start-up rather than mid-request.
/// </remarks>
public sealed class ChatTemplate
{
    /// <summary>ChatML (<c>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;</c>): the fallback when a model has no usable template.</summary>
    public const string ChatMLSource =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    private readonly List<Node> _nodes;

    public string Source { get; }

    ChatTemplate(string source, List<Node> nodes)
    {
        Source = source;
        _nodes = nodes;
    }

    /// <summary>Compiles a template; throws <see cref="TemplateException"/> naming the line and construct it cannot run.</summary>
    public static ChatTemplate Parse(string source) => new(source, TemplateParser.Parse(source));

    public static ChatTemplate ChatML { get; } = Parse(ChatMLSource);

    /// <summary>Renders a conversation into the prompt text the model was trained on.</summary>
    /// <exception cref="TemplateRaisedException">The template rejected the conversation (raise_exception).</exception>
    /// <exception cref="TemplateException">The template failed at run time.</exception>
    public string Render(IReadOnlyList<TemplateMessage> messages, bool addGenerationPrompt = true,
        string? bosToken = null, string? eosToken = null, IReadOnlyList<object?>? tools = null,
        IReadOnlyDictionary<string, object?>? extraVariables = null)
    {
        var list = new List<object?>(messages.Count);
        foreach (var m in messages)
        {
            var d = new Dictionary<string, object?> { ["role"] = m.Role, ["content"] = m.Content };
            if (m.Extra != null) foreach (var (k, v) in m.Extra) d[k] = v;
            list.Add(d);
        }
        var globals = new Dictionary<string, object?>
        {
            ["messages"] = list,
            ["add_generation_prompt"] = addGenerationPrompt,
            ["bos_token"] = bosToken ?? "",
            ["eos_token"] = eosToken ?? "",
            ["raise_exception"] = new TemplateFunction((a, _) => throw new TemplateRaisedException(a.Count > 0 ? TemplateValues.Str(a[0]) : "the chat template rejected the conversation")),
            ["range"] = new TemplateFunction(Range),
            ["namespace"] = new TemplateFunction((a, k) => { var ns = new Namespace(); foreach (var (key, v) in k) ns[key] = v; return ns; }),
            ["dict"] = new TemplateFunction((a, k) => new Dictionary<string, object?>(k)),
            ["strftime_now"] = new TemplateFunction((a, _) => StrftimeNow(a.Count > 0 ? TemplateValues.Str(a[0]) : "%Y-%m-%d")),
        };
        // transformers passes tools=None when there are none, so `tools is defined` holds and `tools is none` tells.
        globals["tools"] = tools?.ToList();
        if (extraVariables != null) foreach (var (k, v) in extraVariables) globals[k] = v;
        return new TemplateRenderer(globals).Render(_nodes);
    }

    static object? Range(List<object?> a, Dictionary<string, object?> _)
    {
        long start = 0, stop, step = 1;
        if (a.Count == 1) stop = (long)TemplateValues.ToDouble(a[0]);
        else if (a.Count >= 2)
        {
            start = (long)TemplateValues.ToDouble(a[0]);
            stop = (long)TemplateValues.ToDouble(a[1]);
            if (a.Count > 2) step = (long)TemplateValues.ToDouble(a[2]);
        }
        else throw new TemplateException("range needs at least one argument");
        if (step == 0) throw new TemplateException("range step cannot be zero");
        if (Math.Abs((stop - start) / step) > 100_000) throw new TemplateException("range is too long (over 100,000 items)");
        var list = new List<object?>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) list.Add(i);
        return list;
    }

    /// <summary>The few strftime codes chat templates use (Llama 3.x: <c>"%d %b %Y"</c>).</summary>
    static string StrftimeNow(string format)
    {
        var now = DateTime.Now;
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < format.Length; i++)
        {
            if (format[i] != '%' || i + 1 == format.Length) { sb.Append(format[i]); continue; }
            char c = format[++i];
            sb.Append(c switch
            {
                'd' => now.ToString("dd", CultureInfo.InvariantCulture),
                'm' => now.ToString("MM", CultureInfo.InvariantCulture),
                'Y' => now.ToString("yyyy", CultureInfo.InvariantCulture),
                'y' => now.ToString("yy", CultureInfo.InvariantCulture),
                'b' => now.ToString("MMM", CultureInfo.InvariantCulture),
                'B' => now.ToString("MMMM", CultureInfo.InvariantCulture),
                'a' => now.ToString("ddd", CultureInfo.InvariantCulture),
                'A' => now.ToString("dddd", CultureInfo.InvariantCulture),
                'H' => now.ToString("HH", CultureInfo.InvariantCulture),
                'M' => now.ToString("mm", CultureInfo.InvariantCulture),
                'S' => now.ToString("ss", CultureInfo.InvariantCulture),
                '%' => "%",
                _ => "%" + c,
            });
        }
        return sb.ToString();
    }
}
