using System.ClientModel;
using System.Net;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;

namespace Ponder.Server.Tests;

/// <summary>API key, disconnects, shutdown, metrics, tokenize: each on its own server so engine counters are its own.</summary>
public class ServerBehaviourTests
{
    [Fact]
    public async Task Api_key_guards_everything_but_health()
    {
        await using var s = await TestServer.StartAsync(new ServerOptions { ApiKey = "s3cret" });
        Assert.Equal(HttpStatusCode.OK, (await s.Http.GetAsync("/health")).StatusCode);
        var none = await s.Http.GetAsync("/v1/models");
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
        Assert.Equal("authentication_error", JsonDocument.Parse(await none.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetProperty("type").GetString());
        ChatClient Client(string key) => new(s.ModelId, new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(s.BaseAddress, "v1") });
        var wrong = await Assert.ThrowsAsync<ClientResultException>(() => Client("s3cres").CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(401, wrong.Status);
        var longer = await Assert.ThrowsAsync<ClientResultException>(() => Client("s3cret-and-more").CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(401, longer.Status);
        ChatCompletion ok = await Client("s3cret").CompleteChatAsync([new UserChatMessage("hi")], new ChatCompletionOptions { MaxOutputTokenCount = 2 });
        Assert.NotNull(ok);
    }

    [Fact]
    public async Task Client_disconnect_mid_stream_frees_kv_blocks()
    {
        await using var s = await TestServer.StartAsync();
        string body = JsonSerializer.Serialize(new
        {
            model = s.ModelId, n = 16, max_tokens = 480, temperature = 0.8, stream = true,
            messages = new[] { new { role = "user", content = "a long story please" } },
        });
        var req = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        var res = await s.Http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead);
        var stream = await res.Content.ReadAsStreamAsync();
        var reader = new StreamReader(stream);
        for (int i = 0; i < 8; i++) await reader.ReadLineAsync();
        var during = s.Server.Model.Engine.Stats;
        res.Dispose(); // the client goes away mid-stream (n × max_tokens is far more than a fast machine generates before it notices)
        var after = await s.WaitIdleAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, after.Running);
        Assert.Equal(0, after.Kv.Used);
        Assert.True(after.GeneratedTokens < 16 * 480, $"generation should stop early, generated {after.GeneratedTokens}");
        _ = during;
    }

    [Fact]
    public async Task Shutdown_ends_streams_in_flight_cleanly()
    {
        var s = await TestServer.StartAsync(new ServerOptions { ShutdownDrain = TimeSpan.Zero });
        string body = JsonSerializer.Serialize(new
        {
            model = s.ModelId, n = 16, max_tokens = 400, temperature = 1.0, stream = true,
            messages = new[] { new { role = "user", content = "x" } },
        });
        var req = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        var res = await s.Http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead);
        var reader = new StreamReader(await res.Content.ReadAsStreamAsync());
        Assert.StartsWith("data: {", await reader.ReadLineAsync());
        var stop = s.Server.StopAsync();
        string rest = await reader.ReadToEndAsync();
        await stop;
        Assert.EndsWith("data: [DONE]\n\n", rest);
        Assert.True(rest.Contains("\"finish_reason\":\"length\"") || rest.Contains("\"server_shutting_down\"") || rest.Contains("\"finish_reason\":\"stop\""));
        await s.DisposeAsync();
    }

    [Fact]
    public async Task Metrics_expose_latency_queue_and_cache_figures()
    {
        await using var s = await TestServer.StartAsync();
        var res = await s.PostAsync("/v1/chat/completions", JsonSerializer.Serialize(new
        {
            model = s.ModelId, max_tokens = 4, stream = true, messages = new[] { new { role = "user", content = "metrics" } },
        }));
        await res.Content.ReadAsStringAsync();
        string text = await s.Http.GetStringAsync("/metrics");
        foreach (var name in new[] { "ponder_requests_total", "ponder_prompt_tokens_total", "ponder_generated_tokens_total",
                     "ponder_time_to_first_token_seconds_bucket", "ponder_inter_token_latency_seconds_bucket", "ponder_queue_waiting",
                     "ponder_queue_running", "ponder_kv_blocks_used", "ponder_kv_blocks_cached", "ponder_kv_prefix_hit_rate" })
            Assert.Contains(name, text);
    }

    [Fact]
    public async Task Tokenize_round_trips_and_returns_block_hashes()
    {
        await using var s = await TestServer.StartAsync();
        string content = string.Concat(Enumerable.Repeat("hello world ", 20));
        using var tok = JsonDocument.Parse(await (await s.PostAsync("/tokenize", JsonSerializer.Serialize(new { content, with_pieces = true }))).Content.ReadAsStringAsync());
        var ids = tok.RootElement.GetProperty("tokens").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(ids.Length, tok.RootElement.GetProperty("count").GetInt32());
        Assert.Equal(ids.Length / 16, tok.RootElement.GetProperty("block_hashes").GetArrayLength());
        Assert.Equal(Ponder.Engine.KvCache.BlockHash.Chain(ids, 16).Select(h => h.ToString()),
            tok.RootElement.GetProperty("block_hashes").EnumerateArray().Select(e => e.GetRawText()));
        using var detok = JsonDocument.Parse(await (await s.PostAsync("/detokenize", JsonSerializer.Serialize(new { tokens = ids }))).Content.ReadAsStringAsync());
        Assert.Equal(s.Server.Model.Tokenizer.Decode(ids), detok.RootElement.GetProperty("content").GetString());
    }

    [Fact]
    public async Task Legacy_completions_accept_text_and_token_prompts()
    {
        await using var s = await TestServer.StartAsync();
        foreach (var prompt in new object[] { "Once upon a time", new[] { 1, 50, 60, 70 } })
        {
            var res = await s.PostAsync("/v1/completions", JsonSerializer.Serialize(new { model = s.ModelId, prompt, max_tokens = 5, temperature = 0, logprobs = 2 }));
            Assert.Equal(HttpStatusCode.OK, res.StatusCode);
            using var doc = JsonDocument.Parse(await res.Content.ReadAsStringAsync());
            var choice = doc.RootElement.GetProperty("choices")[0];
            Assert.Equal("text_completion", doc.RootElement.GetProperty("object").GetString());
            Assert.Equal(choice.GetProperty("logprobs").GetProperty("tokens").GetArrayLength(), choice.GetProperty("logprobs").GetProperty("token_logprobs").GetArrayLength());
        }
    }
}
