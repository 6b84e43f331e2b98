using Microsoft.Extensions.AI;
using OpenAI;
using Ponder.Server.AI;
using System.ClientModel;

namespace Ponder.Server.Tests;

/// <summary>Microsoft.Extensions.AI: the OpenAI adapter against the server, and PonderChatClient in process.</summary>
public class ExtensionsAiTests(ServerFixture f) : IClassFixture<ServerFixture>
{
    IChatClient Remote() => new OpenAIClient(new ApiKeyCredential("x"), new OpenAIClientOptions { Endpoint = new Uri(f.S.BaseAddress, "v1") })
        .GetChatClient(f.S.ModelId).AsIChatClient();

    [Fact]
    public async Task OpenAI_adapter_gets_a_response_with_usage()
    {
        var r = await Remote().GetResponseAsync("Hello", new ChatOptions { MaxOutputTokens = 6, Temperature = 0 });
        Assert.Equal(ChatRole.Assistant, r.Messages[0].Role);
        Assert.InRange(r.Usage!.OutputTokenCount!.Value, 1, 6);
    }

    [Fact]
    public async Task OpenAI_adapter_streams_and_matches_in_process_client()
    {
        var options = new ChatOptions { MaxOutputTokens = 10, Temperature = 0.7f, Seed = 99 };
        var remote = string.Concat(await Remote().GetStreamingResponseAsync("same prompt", options).Select(u => u.Text).ToListAsync());
        using var local = new PonderChatClient(f.S.Server.Model);
        var whole = await local.GetResponseAsync("same prompt", options);
        var streamed = string.Concat(await local.GetStreamingResponseAsync("same prompt", options).Select(u => u.Text).ToListAsync());
        Assert.Equal(remote, whole.Text);
        Assert.Equal(whole.Text, streamed);
        Assert.Equal(ChatFinishReason.Length, whole.FinishReason ?? ChatFinishReason.Length);
    }

    [Fact]
    public async Task In_process_client_maps_options_and_reports_metadata()
    {
        using var local = new PonderChatClient(f.S.Server.Model);
        var meta = local.GetService<ChatClientMetadata>();
        Assert.Equal("ponder", meta!.ProviderName);
        Assert.Equal(f.S.ModelId, meta.DefaultModelId);
        var r = await local.GetResponseAsync([new ChatMessage(ChatRole.System, "be brief"), new ChatMessage(ChatRole.User, "hi")],
            new ChatOptions { MaxOutputTokens = 3, Temperature = 0 });
        Assert.InRange(r.Usage!.OutputTokenCount!.Value, 1, 3);
        var json = await local.GetResponseAsync("x", new ChatOptions { ResponseFormat = ChatResponseFormat.Json, Temperature = 0 });
        Assert.Equal(System.Text.Json.JsonValueKind.Object, System.Text.Json.JsonDocument.Parse(json.Text).RootElement.ValueKind);
    }

    [Fact]
    public async Task In_process_cancellation_frees_the_sequence()
    {
        using var local = new PonderChatClient(f.S.Server.Model);
        using var cts = new CancellationTokenSource();
        int n = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var u in local.GetStreamingResponseAsync("go on", new ChatOptions { MaxOutputTokens = 400, Temperature = 0 }, cts.Token))
                if (++n == 2) cts.Cancel();
        });
    }
}
