using System.Net;
using System.Text;
using System.Text.Json;

namespace Ponder.Server.Tests;

/// <summary>Malformed requests: every one gets a 4xx with OpenAI's error object, never a 5xx.</summary>
public class BadInputTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    const string Chat = "/v1/chat/completions";
    const string Text = "/v1/completions";
    const string M = "\"model\":\"tiny-llama-q8_0\"";
    const string Msgs = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";

    static string C(string extra) => "{" + M + "," + Msgs + (extra.Length > 0 ? "," + extra : "") + "}";
    static string P(string extra) => "{" + M + (extra.Length > 0 ? "," + extra : "") + "}";

    public static TheoryData<string, string, string, int> Cases() => new()
    {
        { "invalid JSON", Chat, "{", 400 },
        { "empty body", Chat, "", 400 },
        { "array body", Chat, "[]", 400 },
        { "string body", Chat, "\"hi\"", 400 },
        { "NaN literal", Chat, "{\"model\": NaN}", 400 },
        { "trailing garbage", Chat, C("") + "}", 400 },
        { "missing model", Chat, "{" + Msgs + "}", 400 },
        { "model not a string", Chat, "{\"model\":5," + Msgs + "}", 400 },
        { "unknown model", Chat, "{\"model\":\"gpt-9\"," + Msgs + "}", 404 },
        { "missing messages", Chat, "{" + M + "}", 400 },
        { "messages not an array", Chat, "{" + M + ",\"messages\":\"hi\"}", 400 },
        { "messages empty", Chat, "{" + M + ",\"messages\":[]}", 400 },
        { "message not an object", Chat, "{" + M + ",\"messages\":[1]}", 400 },
        { "message without role", Chat, "{" + M + ",\"messages\":[{\"content\":\"hi\"}]}", 400 },
        { "unknown role", Chat, "{" + M + ",\"messages\":[{\"role\":\"wizard\",\"content\":\"hi\"}]}", 400 },
        { "role not a string", Chat, "{" + M + ",\"messages\":[{\"role\":1,\"content\":\"hi\"}]}", 400 },
        { "content a number", Chat, "{" + M + ",\"messages\":[{\"role\":\"user\",\"content\":5}]}", 400 },
        { "user without content", Chat, "{" + M + ",\"messages\":[{\"role\":\"user\"}]}", 400 },
        { "image content part", Chat, "{" + M + ",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":\"x\"}}]}]}", 400 },
        { "n = 0", Chat, C("\"n\":0"), 400 },
        { "n above the limit", Chat, C("\"n\":1000"), 400 },
        { "n a string", Chat, C("\"n\":\"2\""), 400 },
        { "n fractional", Chat, C("\"n\":1.5"), 400 },
        { "negative temperature", Chat, C("\"temperature\":-1"), 400 },
        { "temperature above 2", Chat, C("\"temperature\":3"), 400 },
        { "temperature a string", Chat, C("\"temperature\":\"hot\""), 400 },
        { "top_p 0", Chat, C("\"top_p\":0"), 400 },
        { "top_p above 1", Chat, C("\"top_p\":1.5"), 400 },
        { "negative max_tokens", Chat, C("\"max_tokens\":-1"), 400 },
        { "max_tokens beyond the context", Chat, C("\"max_tokens\":100000"), 400 },
        { "max_completion_tokens a string", Chat, C("\"max_completion_tokens\":\"10\""), 400 },
        { "prompt longer than the context", Chat, "{" + M + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + string.Concat(Enumerable.Repeat("many words here ", 600)) + "\"}]}", 400 },
        { "presence_penalty above 2", Chat, C("\"presence_penalty\":3"), 400 },
        { "frequency_penalty below -2", Chat, C("\"frequency_penalty\":-3"), 400 },
        { "logprobs a string", Chat, C("\"logprobs\":\"yes\""), 400 },
        { "top_logprobs above 20", Chat, C("\"logprobs\":true,\"top_logprobs\":21"), 400 },
        { "top_logprobs without logprobs", Chat, C("\"top_logprobs\":2"), 400 },
        { "negative top_logprobs", Chat, C("\"logprobs\":true,\"top_logprobs\":-1"), 400 },
        { "stop a number", Chat, C("\"stop\":5"), 400 },
        { "stop empty string", Chat, C("\"stop\":[\"\"]"), 400 },
        { "too many stop strings", Chat, C("\"stop\":[" + string.Join(",", Enumerable.Range(0, 20).Select(i => $"\"s{i}\"")) + "]"), 400 },
        { "stream a string", Chat, C("\"stream\":\"yes\""), 400 },
        { "stream_options without stream", Chat, C("\"stream_options\":{\"include_usage\":true}"), 400 },
        { "seed a string", Chat, C("\"seed\":\"abc\""), 400 },
        { "seed fractional", Chat, C("\"seed\":1.5"), 400 },
        { "response_format json_schema without json_schema", Chat, C("\"response_format\":{\"type\":\"json_schema\"}"), 400 },
        { "response_format json_schema without schema", Chat, C("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\"}}"), 400 },
        { "response_format json_schema a string", Chat, C("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":\"object\"}}"), 400 },
        { "response_format schema with not", Chat, C("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{\"not\":{}}}}"), 400 },
        { "response_format unsatisfiable schema", Chat, C("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\",\"schema\":{\"type\":\"integer\",\"minimum\":5,\"maximum\":1}}}"), 400 },
        { "grammar syntax error", Chat, C("\"grammar\":\"root ::= (\\\"a\\\"\""), 400 },
        { "grammar undefined rule", Chat, C("\"grammar\":\"root ::= x\""), 400 },
        { "grammar a number", Chat, C("\"grammar\":5"), 400 },
        { "grammar and response_format", Chat, C("\"grammar\":\"root ::= \\\"a\\\"\",\"response_format\":{\"type\":\"json_object\"}"), 400 },
        { "response_format unknown", Chat, C("\"response_format\":{\"type\":\"yaml\"}"), 400 },
        { "ponder strategy", Chat, C("\"ponder\":{\"strategy\":\"self-consistency\",\"budget\":16}"), 400 },
        { "tool_choice required", Chat, C("\"tool_choice\":\"required\""), 400 },
        { "logit_bias", Chat, C("\"logit_bias\":{\"5\":10}"), 400 },
        { "deeply nested JSON", Chat, C("\"x\":" + new string('[', 100) + new string(']', 100)), 400 },
        { "completions: missing prompt", Text, P(""), 400 },
        { "completions: prompt an object", Text, P("\"prompt\":{}"), 400 },
        { "completions: token id outside the vocabulary", Text, P("\"prompt\":[99999]"), 400 },
        { "completions: negative token id", Text, P("\"prompt\":[-1]"), 400 },
        { "completions: token prompt longer than the context", Text, P("\"prompt\":[" + string.Join(",", Enumerable.Repeat("5", 600)) + "]"), 400 },
        { "completions: logprobs a boolean", Text, P("\"prompt\":\"hi\",\"logprobs\":true"), 400 },
        { "completions: logprobs 50", Text, P("\"prompt\":\"hi\",\"logprobs\":50"), 400 },
        { "completions: several prompts", Text, P("\"prompt\":[\"a\",\"b\"]"), 400 },
        { "completions: echo", Text, P("\"prompt\":\"hi\",\"echo\":true"), 400 },
        { "completions: max_tokens beyond the context", Text, P("\"prompt\":\"hi\",\"max_tokens\":9999"), 400 },
        { "tokenize: nothing to tokenize", "/tokenize", "{}", 400 },
        { "detokenize: id outside the vocabulary", "/detokenize", "{\"tokens\":[100000]}", 400 },
        { "detokenize: ids as strings", "/detokenize", "{\"tokens\":[\"a\"]}", 400 },
        { "unknown route", "/v1/embeddings", "{}", 404 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Malformed_request_gets_a_4xx_error_object(string name, string path, string body, int status)
    {
        var res = await f.S.PostAsync(path, body);
        await AssertError(res, status, name);
    }

    [Fact]
    public async Task Invalid_utf8_is_a_400()
    {
        var bytes = Encoding.UTF8.GetBytes(C("")).ToList();
        int at = bytes.IndexOf((byte)'h');
        bytes.InsertRange(at, new byte[] { 0xC3, 0x28, 0xFF });
        await AssertError(await f.S.PostBytesAsync(Chat, bytes.ToArray()), 400, "invalid UTF-8");
    }

    [Fact]
    public async Task Oversized_body_is_a_413()
    {
        // A small limit so Kestrel drains the unread rest and the client sees the answer, not a reset.
        await using var s = await TestServer.StartAsync(new ServerOptions { MaxBodyBytes = 16 << 10 });
        var body = C("\"user\":\"" + new string('x', 40 << 10) + "\"");
        await AssertError(await s.PostAsync(Chat, body), 413, "oversized body");
    }

    [Fact]
    public async Task Multipart_body_is_a_415()
    {
        await AssertError(await f.S.PostAsync(Chat, C(""), "multipart/form-data"), 415, "multipart");
    }

    [Fact]
    public async Task Wrong_method_gets_an_error_object()
    {
        await AssertError(await f.S.Http.GetAsync(Chat), 404, "GET on a POST endpoint");
    }

    [Fact]
    public async Task Table_has_at_least_forty_cases() => Assert.True(Cases().Count >= 40);

    static async Task AssertError(HttpResponseMessage res, int status, string name)
    {
        string text = await res.Content.ReadAsStringAsync();
        Assert.True((int)res.StatusCode == status, $"{name}: expected {status}, got {(int)res.StatusCode}: {text}");
        Assert.True((int)res.StatusCode < 500, name);
        using var doc = JsonDocument.Parse(text);
        var err = doc.RootElement.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(err.GetProperty("message").GetString()), name);
        Assert.Equal(JsonValueKind.String, err.GetProperty("type").ValueKind);
        Assert.True(err.TryGetProperty("param", out _) && err.TryGetProperty("code", out _), name);
    }
}
