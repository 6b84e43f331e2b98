using System.Net.Http.Headers;
using System.Text;

namespace Ponder.Server.Tests;

/// <summary>A real server on 127.0.0.1 (a free port) over the shipped tiny model.</summary>
public sealed class TestServer : IAsyncDisposable
{
    public PonderServer Server { get; }
    public Uri BaseAddress => Server.BaseAddress;
    public HttpClient Http { get; }
    public string ModelId => Server.Model.Id;

    TestServer(PonderServer server)
    {
        Server = server;
        Http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public static string ModelPath(string name = "tiny-llama-q8_0.gguf")
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        {
            var p = Path.Combine(d.FullName, "testdata", "models", name);
            if (File.Exists(p)) return p;
        }
        throw new FileNotFoundException($"testdata/models/{name} not found above {AppContext.BaseDirectory}");
    }

    public static async Task<TestServer> StartAsync(ServerOptions? options = null, ModelOptions? model = null)
    {
        var m = PonderModel.Load(model ?? new ModelOptions { Path = ModelPath(), Threads = 1, KvMemoryBytes = 64L << 20 });
        var server = PonderServer.Create(m, (options ?? new ServerOptions()) with { Host = "127.0.0.1", Port = 0 });
        await server.StartAsync();
        return new TestServer(server);
    }

    public Task<HttpResponseMessage> PostAsync(string path, string json, string contentType = "application/json") =>
        Http.PostAsync(path, new StringContent(json, Encoding.UTF8, contentType));

    public Task<HttpResponseMessage> PostBytesAsync(string path, byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return Http.PostAsync(path, content);
    }

    /// <summary>Waits until the engine holds no sequence and no KV block (the scheduler frees them at its next step).</summary>
    public async Task<Ponder.Engine.EngineStats> WaitIdleAsync(TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var st = Server.Model.Engine.Stats;
            if ((st.Running == 0 && st.Waiting == 0 && st.Kv.Used == 0) || DateTime.UtcNow > until) return st;
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Server.StopAsync();
        await Server.DisposeAsync();
    }
}

/// <summary>One server shared by the tests of a class.</summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public TestServer S { get; private set; } = null!;
    public async Task InitializeAsync() => S = await TestServer.StartAsync();
    public async Task DisposeAsync() => await S.DisposeAsync();
}
