using System.Text.Json;
using Ponder.Server.Templates;

namespace Ponder.Server.Tests.Templates;

/// <summary>
/// The interpreter against real Jinja2: every expected string in Fixtures/ was rendered by Jinja2 3.1
/// configured as transformers renders chat templates (Fixtures/generate_expected.py,
/// generate_snippets.py), so these tests pin byte-for-byte agreement, whitespace control included.
/// </summary>
public class ChatTemplateTests
{
    static readonly string Dir = Path.Combine(AppContext.BaseDirectory, "Templates", "Fixtures");

    public static TheoryData<string, string> Renderings()
    {
        var data = new TheoryData<string, string>();
        foreach (var t in Directory.GetFiles(Dir, "*.jinja").Order())
            foreach (var c in new[] { "system_user", "multi_turn", "no_generation_prompt", "tools" })
                data.Add(Path.GetFileNameWithoutExtension(t), c);
        return data;
    }

    [Theory]
    [MemberData(nameof(Renderings))]
    public void Renders_real_templates_as_jinja2_does(string template, string caseName)
    {
        var tpl = ChatTemplate.Parse(File.ReadAllText(Path.Combine(Dir, template + ".jinja")));
        using var cases = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "cases.json")));
        var c = cases.RootElement.GetProperty(caseName);
        var messages = c.GetProperty("messages").EnumerateArray().Select(ToMessage).ToList();
        List<object?>? tools = c.TryGetProperty("tools", out var t) ? (List<object?>)TemplateValues.FromJson(t)! : null;
        string expected = File.ReadAllText(Path.Combine(Dir, $"{template}.{caseName}.expected.txt"));
        string actual;
        try
        {
            actual = tpl.Render(messages, c.GetProperty("add_generation_prompt").GetBoolean(), "<s>", "</s>", tools,
                new Dictionary<string, object?> { ["date_string"] = "26 Jul 2024" });
        }
        catch (TemplateRaisedException e)
        {
            actual = "!raise: " + e.Message;
        }
        Assert.Equal(expected, actual);
    }

    static TemplateMessage ToMessage(JsonElement m)
    {
        var extra = new Dictionary<string, object?>();
        foreach (var p in m.EnumerateObject())
            if (p.Name is not ("role" or "content")) extra[p.Name] = TemplateValues.FromJson(p.Value);
        return new TemplateMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString(), extra);
    }

    public static TheoryData<int> SnippetIndexes()
    {
        var data = new TheoryData<int>();
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "snippets.expected.json")));
        for (int i = 0; i < doc.RootElement.GetArrayLength(); i++) data.Add(i);
        return data;
    }

    [Theory]
    [MemberData(nameof(SnippetIndexes))]
    public void Constructs_render_as_jinja2_does(int index)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir, "snippets.expected.json")));
        var s = doc.RootElement[index];
        var tpl = ChatTemplate.Parse(s.GetProperty("template").GetString()!);
        var messages = new[] { new TemplateMessage("user", "Hi"), new TemplateMessage("assistant", "Hello"), new TemplateMessage("user", "Bye") };
        Assert.Equal(s.GetProperty("expected").GetString(), tpl.Render(messages, addGenerationPrompt: false));
    }

    [Theory]
    [InlineData("{% include 'x' %}", "line 1", "include")]
    [InlineData("{{ x | frobnicate }}", "line 1", "frobnicate")]
    [InlineData("{% if x %}\nno end", "if", "endif")]
    [InlineData("{{ x is prime }}", "line 1", "prime")]
    [InlineData("ok\n{{ 'unclosed }}", "line 2", "not closed")]
    [InlineData("{% for x in y %}{% endif %}", "for", "endfor")]
    public void Unknown_constructs_fail_at_parse_time_with_line(string source, string where, string what)
    {
        var e = Assert.Throws<TemplateException>(() => ChatTemplate.Parse(source));
        Assert.Contains(where, e.Message);
        Assert.Contains(what, e.Message);
    }

    [Fact]
    public void Raise_exception_surfaces_the_templates_message()
    {
        var tpl = ChatTemplate.Parse(File.ReadAllText(Path.Combine(Dir, "google-gemma-7b-it.jinja")));
        var e = Assert.Throws<TemplateRaisedException>(() => tpl.Render([new("user", "a"), new("user", "b")]));
        Assert.Contains("alternate", e.Message);
    }

    [Fact]
    public void ChatML_fallback_renders_the_shipped_model_format()
    {
        string text = ChatTemplate.ChatML.Render([new("system", "S"), new("user", "U")]);
        Assert.Equal("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n", text);
    }

    [Fact]
    public void Runaway_templates_stop()
    {
        var tpl = ChatTemplate.Parse("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}");
        Assert.Throws<TemplateException>(() => tpl.Render([]));
    }

    [Fact]
    public void Strftime_now_formats_today()
    {
        var tpl = ChatTemplate.Parse("{{ strftime_now('%Y') }}");
        Assert.Equal(DateTime.Now.Year.ToString(), tpl.Render([]));
    }
}
