using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;

namespace Ponder.Server.Tests;

/// <summary>The official OpenAI .NET client against a running server on 127.0.0.1.</summary>
public class OpenAiClientTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    ChatClient Chat(string? key = "unused") => new(f.S.ModelId, new ApiKeyCredential(key!),
        new OpenAIClientOptions { Endpoint = new Uri(f.S.BaseAddress, "v1"), NetworkTimeout = TimeSpan.FromSeconds(60) });

    [Fact]
    public async Task Completes_a_chat_with_usage()
    {
        ChatCompletion c = await Chat().CompleteChatAsync([new UserChatMessage("Hello there")],
            new ChatCompletionOptions { MaxOutputTokenCount = 8, Temperature = 0 });
        Assert.Equal(ChatMessageRole.Assistant, c.Role);
        Assert.True(c.Usage.InputTokenCount > 0);
        Assert.InRange(c.Usage.OutputTokenCount, 1, 8);
        Assert.Equal(c.Usage.InputTokenCount + c.Usage.OutputTokenCount, c.Usage.TotalTokenCount);
        Assert.NotNull(c.Usage.InputTokenDetails);
        Assert.True(c.FinishReason is ChatFinishReason.Length or ChatFinishReason.Stop);
    }

    [Fact]
    public async Task Repeated_prompt_reports_cached_tokens()
    {
        var msgs = new ChatMessage[] { new SystemChatMessage(string.Join(' ', Enumerable.Repeat("a long shared system prompt", 12))), new UserChatMessage("hi") };
        var o = new ChatCompletionOptions { MaxOutputTokenCount = 2, Temperature = 0 };
        await Chat().CompleteChatAsync(msgs, o);
        ChatCompletion second = await Chat().CompleteChatAsync(msgs, o);
        Assert.True(second.Usage.InputTokenDetails.CachedTokenCount >= 16, $"cached {second.Usage.InputTokenDetails.CachedTokenCount}");
    }

    [Fact]
    public async Task Streams_deltas_that_add_up_to_the_whole_answer()
    {
        var o = new ChatCompletionOptions { MaxOutputTokenCount = 12, Temperature = 0 };
        ChatCompletion whole = await Chat().CompleteChatAsync([new UserChatMessage("Stream me")], o);
        var text = new System.Text.StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        await foreach (var u in Chat().CompleteChatStreamingAsync([new UserChatMessage("Stream me")], o))
        {
            foreach (var part in u.ContentUpdate) text.Append(part.Text);
            finish ??= u.FinishReason;
            usage ??= u.Usage;
        }
        Assert.Equal(whole.Content[0].Text, text.ToString());
        Assert.Equal(whole.FinishReason, finish);
        Assert.NotNull(usage);
        Assert.Equal(whole.Usage.OutputTokenCount, usage!.OutputTokenCount);
    }

    [Fact]
    public async Task Logprobs_with_top_alternatives()
    {
        ChatCompletion c = await Chat().CompleteChatAsync([new UserChatMessage("logprobs please")],
            new ChatCompletionOptions { MaxOutputTokenCount = 6, Temperature = 0, IncludeLogProbabilities = true, TopLogProbabilityCount = 3 });
        Assert.NotEmpty(c.ContentTokenLogProbabilities);
        foreach (var t in c.ContentTokenLogProbabilities)
        {
            Assert.True(t.LogProbability <= 0);
            Assert.Equal(3, t.TopLogProbabilities.Count);
            // Greedy: the chosen token is the most likely one.
            Assert.Equal(t.TopLogProbabilities[0].LogProbability, t.LogProbability, 4);
            Assert.True(t.TopLogProbabilities[0].LogProbability >= t.TopLogProbabilities[1].LogProbability);
        }
    }

    [Fact]
    public async Task Same_seed_same_text_other_seed_other_text()
    {
        async Task<string> Run(long seed) => (await Chat().CompleteChatAsync([new UserChatMessage("Tell me something random")],
            new ChatCompletionOptions { MaxOutputTokenCount = 24, Temperature = 1.0f, Seed = seed })).Value.Content[0].Text;
        string a = await Run(1234), b = await Run(1234), c = await Run(98765);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public async Task N4_returns_four_choices_from_one_prefill()
    {
        // The .NET client has no 'n' option; its protocol method sends the raw body (still the real client).
        string body = JsonSerializer.Serialize(new
        {
            model = f.S.ModelId, n = 4, max_tokens = 10, temperature = 1.0, seed = 7,
            messages = new[] { new { role = "user", content = "four answers" } },
        });
        ClientResult r = await Chat().CompleteChatAsync(BinaryContent.Create(BinaryData.FromString(body)), new RequestOptions());
        using var doc = JsonDocument.Parse(r.GetRawResponse().Content.ToString());
        var choices = doc.RootElement.GetProperty("choices");
        Assert.Equal(4, choices.GetArrayLength());
        var texts = choices.EnumerateArray().Select(c => c.GetProperty("message").GetProperty("content").GetString()).ToList();
        Assert.Equal([0, 1, 2, 3], choices.EnumerateArray().Select(c => c.GetProperty("index").GetInt32()));
        Assert.True(texts.Distinct().Count() > 1, "four samples with different derived seeds should not all agree");
        var usage = doc.RootElement.GetProperty("usage");
        Assert.InRange(usage.GetProperty("completion_tokens").GetInt32(), 4, 40);
    }

    [Fact]
    public async Task Streaming_n4_ends_each_choice_and_then_done()
    {
        string body = JsonSerializer.Serialize(new
        {
            model = f.S.ModelId, n = 4, max_tokens = 5, temperature = 1.0, stream = true, stream_options = new { include_usage = true },
            messages = new[] { new { role = "user", content = "stream four" } },
        });
        var res = await f.S.PostAsync("/v1/chat/completions", body);
        Assert.Equal("text/event-stream", res.Content.Headers.ContentType?.MediaType);
        string sse = await res.Content.ReadAsStringAsync();
        var events = sse.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Select(e => e["data: ".Length..]).ToList();
        Assert.Equal("[DONE]", events[^1]);
        var finished = new HashSet<int>();
        foreach (var e in events[..^2])
            foreach (var c in JsonDocument.Parse(e).RootElement.GetProperty("choices").EnumerateArray())
                if (c.GetProperty("finish_reason").ValueKind == JsonValueKind.String) finished.Add(c.GetProperty("index").GetInt32());
        Assert.Equal([0, 1, 2, 3], finished.Order());
        Assert.True(JsonDocument.Parse(events[^2]).RootElement.TryGetProperty("usage", out _));
    }

    [Fact]
    public async Task Stop_strings_end_generation()
    {
        ChatCompletion free = await Chat().CompleteChatAsync([new UserChatMessage("stop test")], new ChatCompletionOptions { MaxOutputTokenCount = 20, Temperature = 0 });
        string text = free.Content[0].Text;
        if (text.Length < 4) return; // the random model ended at once; nothing to cut
        string stop = text.Substring(2, 2);
        var o = new ChatCompletionOptions { MaxOutputTokenCount = 20, Temperature = 0 };
        o.StopSequences.Add(stop);
        ChatCompletion cut = await Chat().CompleteChatAsync([new UserChatMessage("stop test")], o);
        Assert.Equal(text[..text.IndexOf(stop, StringComparison.Ordinal)], cut.Content[0].Text);
        Assert.Equal(ChatFinishReason.Stop, cut.FinishReason);
    }

    [Fact]
    public async Task Cancelling_a_stream_ends_it_on_the_client()
    {
        using var cts = new CancellationTokenSource();
        int updates = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var u in Chat().CompleteChatStreamingAsync([new UserChatMessage("long one")],
                new ChatCompletionOptions { MaxOutputTokenCount = 400, Temperature = 0 }, cts.Token))
            {
                if (++updates == 3) cts.Cancel();
            }
        });
        Assert.True(updates >= 3);
    }

    [Fact]
    public async Task Unknown_model_is_a_404_client_error()
    {
        var client = new ChatClient("no-such-model", new ApiKeyCredential("x"), new OpenAIClientOptions { Endpoint = new Uri(f.S.BaseAddress, "v1") });
        var e = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(404, e.Status);
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public async Task Models_lists_the_served_model()
    {
        var models = new OpenAIClient(new ApiKeyCredential("x"), new OpenAIClientOptions { Endpoint = new Uri(f.S.BaseAddress, "v1") }).GetOpenAIModelClient();
        var list = (await models.GetModelsAsync()).Value;
        Assert.Equal(f.S.ModelId, Assert.Single(list).Id);
    }
}
