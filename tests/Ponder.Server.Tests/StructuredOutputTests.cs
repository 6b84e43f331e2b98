using System.ClientModel;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpenAI;
using OpenAI.Chat;
using Ponder.Grammars.Tests.Schema;

namespace Ponder.Server.Tests;

/// <summary>A server over the random-weight tiny Qwen2 model, for outputs constrained by response_format.</summary>
public sealed class QwenServerFixture : IAsyncLifetime
{
    public TestServer S { get; private set; } = null!;
    public async Task InitializeAsync() => S = await TestServer.StartAsync(model: new ModelOptions
        { Path = TestServer.ModelPath("tiny-qwen2-q8_0.gguf"), Threads = 1, KvMemoryBytes = 64L << 20 });
    public async Task DisposeAsync() => await S.DisposeAsync();
}

/// <summary>
/// response_format and grammar through the real OpenAI client and raw HTTP: every choice, streamed or not, n = 1
/// or more, parses and validates against its schema (NJsonSchema judges), even from a random-weight model, because
/// the token budget steers each output to a complete value before max_tokens runs out.
/// </summary>
public class StructuredOutputTests(QwenServerFixture f) : IClassFixture<QwenServerFixture>
{
    OpenAIClient Client() => new(new ApiKeyCredential("none"), new OpenAIClientOptions { Endpoint = new Uri(f.S.BaseAddress, "/v1") });

    static void AssertValid(string schemaJson, string text, string what)
    {
        var errors = SchemaValidation.Errors(SchemaValidation.Load(schemaJson), text);
        Assert.True(errors.Count == 0, $"{what}\noutput: {text}\nerrors: {string.Join("; ", errors)}");
    }

    [Fact]
    public async Task Openai_client_json_schema_output_validates()
    {
        var schema = SchemaCorpus.Read("person.json");
        var chat = Client().GetChatClient(f.S.ModelId);
        var options = new ChatCompletionOptions
        {
            ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("person", BinaryData.FromString(schema), jsonSchemaIsStrict: true),
            Temperature = 0,
            MaxOutputTokenCount = 300,
        };
        ChatCompletion c = await chat.CompleteChatAsync([new UserChatMessage("Describe a person as JSON.")], options);
        Assert.Equal(ChatFinishReason.Stop, c.FinishReason);
        AssertValid(schema, c.Content[0].Text, "person.json via the OpenAI client");
    }

    [Fact]
    public async Task Openai_client_json_object_output_is_an_object()
    {
        var chat = Client().GetChatClient(f.S.ModelId);
        var options = new ChatCompletionOptions { ResponseFormat = ChatResponseFormat.CreateJsonObjectFormat(), Temperature = 0, MaxOutputTokenCount = 100 };
        ChatCompletion c = await chat.CompleteChatAsync([new UserChatMessage("JSON please")], options);
        Assert.Equal(JsonValueKind.Object, JsonDocument.Parse(c.Content[0].Text).RootElement.ValueKind);
    }

    [Fact]
    public async Task Bad_schema_is_a_400_naming_keyword_and_pointer()
    {
        var chat = Client().GetChatClient(f.S.ModelId);
        var schema = """{"type":"object","properties":{"a":{"not":{"type":"string"}}}}""";
        var options = new ChatCompletionOptions { ResponseFormat = ChatResponseFormat.CreateJsonSchemaFormat("bad", BinaryData.FromString(schema)) };
        var e = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage("x")], options));
        Assert.Equal(400, e.Status);
        Assert.Contains("'not'", e.Message);
        Assert.Contains("#/properties/a/not", e.Message);
    }

    [Fact]
    public async Task Grammar_extension_constrains_text_completions()
    {
        var body = $$"""{"model":"{{f.S.ModelId}}","prompt":"Answer:","max_tokens":40,"temperature":1,"seed":3,"n":3,"grammar":"root ::= (\"yes\" | \"no\") \" \" [0-9]{1,3}"}""";
        using var r = await f.S.PostAsync("/v1/completions", body);
        var json = JsonNode.Parse(await r.Content.ReadAsStringAsync())!;
        Assert.True(r.IsSuccessStatusCode, json.ToJsonString());
        foreach (var choice in json["choices"]!.AsArray())
            Assert.Matches("^(yes|no) [0-9]{1,3}$", (string)choice!["text"]!);
    }

    /// <summary>Property-style: several realistic schemas × seeds, n = 2, plain and streamed; every choice validates.</summary>
    [Theory]
    [InlineData("sentiment.json", false)]
    [InlineData("order-status.json", true)]
    [InlineData("search-arguments.json", false)]
    [InlineData("calendar-event.json", true)]
    [InlineData("tree-recursive.json", false)]
    [InlineData("k8s-service.json", true)]
    public async Task Sampled_choices_validate(string file, bool stream)
    {
        var schema = SchemaCorpus.Read(file);
        foreach (var seed in new[] { 1, 2 })
        {
            var request = new JsonObject
            {
                ["model"] = f.S.ModelId,
                ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Reply in JSON." }),
                ["temperature"] = 1.0, ["seed"] = seed, ["n"] = 2, ["max_tokens"] = 200, ["stream"] = stream,
                ["response_format"] = new JsonObject
                {
                    ["type"] = "json_schema",
                    ["json_schema"] = new JsonObject { ["name"] = "x", ["strict"] = true, ["schema"] = JsonNode.Parse(schema) },
                },
            };
            using var r = await f.S.PostAsync("/v1/chat/completions", request.ToJsonString());
            var text = await r.Content.ReadAsStringAsync();
            Assert.True(r.IsSuccessStatusCode, text);
            var outputs = stream ? FromStream(text) : FromBody(text);
            Assert.Equal(2, outputs.Count);
            foreach (var (i, output) in outputs) AssertValid(schema, output, $"{file} seed {seed} choice {i} stream {stream}");
        }
    }

    static Dictionary<int, string> FromBody(string body)
    {
        var outputs = new Dictionary<int, string>();
        foreach (var c in JsonNode.Parse(body)!["choices"]!.AsArray())
        {
            Assert.Equal("stop", (string)c!["finish_reason"]!);
            outputs[(int)c["index"]!] = (string)c["message"]!["content"]!;
        }
        return outputs;
    }

    static Dictionary<int, string> FromStream(string sse)
    {
        var parts = new Dictionary<int, StringBuilder>();
        foreach (var line in sse.Split('\n'))
        {
            if (!line.StartsWith("data: ") || line == "data: [DONE]") continue;
            foreach (var c in JsonNode.Parse(line[6..])!["choices"]!.AsArray())
            {
                var i = (int)c!["index"]!;
                if (!parts.TryGetValue(i, out var sb)) parts[i] = sb = new StringBuilder();
                if (c["delta"]?["content"] is JsonValue v) sb.Append((string)v!);
                if (c["finish_reason"] is JsonValue fr) Assert.Equal("stop", (string)fr!);
            }
        }
        return parts.ToDictionary(p => p.Key, p => p.Value.ToString());
    }
}
