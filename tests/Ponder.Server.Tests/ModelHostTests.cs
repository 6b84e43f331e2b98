using System.ClientModel;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using Ponder.Server.Templates;

namespace Ponder.Server.Tests;

/// <summary>Loading models and templates: the BPE (qwen2) model, explicit templates, start-up errors.</summary>
public class ModelHostTests
{
    [Fact]
    public async Task Qwen2_model_serves_chat_and_streamed_logprobs()
    {
        await using var s = await TestServer.StartAsync(model: new ModelOptions { Path = TestServer.ModelPath("tiny-qwen2-q8_0.gguf"), Threads = 1, KvMemoryBytes = 32L << 20 });
        var chat = new ChatClient(s.ModelId, new ApiKeyCredential("x"), new OpenAIClientOptions { Endpoint = new Uri(s.BaseAddress, "v1") });
        int tokens = 0;
        await foreach (var u in chat.CompleteChatStreamingAsync([new UserChatMessage("hello qwen")],
            new ChatCompletionOptions { MaxOutputTokenCount = 6, Temperature = 0, IncludeLogProbabilities = true, TopLogProbabilityCount = 2 }))
        {
            foreach (var lp in u.ContentTokenLogProbabilities)
            {
                tokens++;
                Assert.Equal(2, lp.TopLogProbabilities.Count);
            }
        }
        Assert.InRange(tokens, 1, 6);
    }

    [Fact]
    public async Task Explicit_template_is_used_for_chat_prompts()
    {
        string qwen = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Templates", "Fixtures", "Qwen-Qwen2.5-7B-Instruct.jinja"));
        await using var s = await TestServer.StartAsync(model: new ModelOptions { Path = TestServer.ModelPath(), Threads = 1, KvMemoryBytes = 16L << 20, ChatTemplate = qwen });
        Assert.Null(s.Server.Model.TemplateWarning);
        var res = await s.PostAsync("/tokenize", JsonSerializer.Serialize(new { messages = new[] { new { role = "user", content = "hi" } } }));
        using var doc = JsonDocument.Parse(await res.Content.ReadAsStringAsync());
        var ids = doc.RootElement.GetProperty("tokens").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        string rendered = ChatTemplate.Parse(qwen).Render([new TemplateMessage("user", "hi")], true, "<s>", "</s>");
        Assert.StartsWith("<|im_start|>system\nYou are Qwen", rendered);
        Assert.Equal(s.Server.Model.Tokenizer.Encode(rendered, addSpecial: true), ids);
    }

    [Fact]
    public void Explicit_template_that_cannot_be_interpreted_fails_at_start_up()
    {
        var e = Assert.Throws<ArgumentException>(() => PonderModel.Load(new ModelOptions
        {
            Path = TestServer.ModelPath(), Threads = 1, KvMemoryBytes = 16L << 20, ChatTemplate = "{% for m in messages %}\n{% call foo() %}{% endcall %}{% endfor %}",
        }));
        Assert.Contains("line 2", e.Message);
        Assert.Contains("call", e.Message);
    }

    [Fact]
    public void Model_without_template_falls_back_to_chatml_with_a_warning()
    {
        using var m = PonderModel.Load(new ModelOptions { Path = TestServer.ModelPath(), Threads = 1, KvMemoryBytes = 16L << 20 });
        Assert.Contains("ChatML", m.TemplateWarning);
        Assert.Same(ChatTemplate.ChatML, m.Template);
    }
}
