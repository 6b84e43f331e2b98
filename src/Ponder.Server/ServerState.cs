using Ponder.Server.Metrics;

namespace Ponder.Server;

/// <summary>Settings of the HTTP server itself.</summary>
public sealed record ServerOptions
{
    public string Host { get; init; } = "127.0.0.1";
    /// <summary>0 picks a free port (tests).</summary>
    public int Port { get; init; } = 8080;
    /// <summary>When set, every endpoint but /health needs <c>Authorization: Bearer KEY</c>.</summary>
    public string? ApiKey { get; init; }
    public long MaxBodyBytes { get; init; } = 4 << 20;
    /// <summary>On shutdown, streams in flight get this long to finish before they are ended with an error event.</summary>
    public TimeSpan ShutdownDrain { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>What the endpoints share: the model, metrics, limits and the shutdown signal.</summary>
public sealed class ServerState(PonderModel model, ServerOptions options, ServerMetrics metrics)
{
    private readonly CancellationTokenSource _abort = new();

    public PonderModel Model => model;
    public ServerOptions Options => options;
    public ServerMetrics Metrics => metrics;

    /// <summary>Cancelled when the drain period after a shutdown request is over.</summary>
    public CancellationToken Abort => _abort.Token;
    public bool ShuttingDown { get; private set; }

    public void BeginShutdown()
    {
        if (ShuttingDown) return;
        ShuttingDown = true;
        if (options.ShutdownDrain <= TimeSpan.Zero) _abort.Cancel();
        else _abort.CancelAfter(options.ShutdownDrain);
    }

    private int _inFlight;
    public int InFlight => Volatile.Read(ref _inFlight);
    public void Enter() => Interlocked.Increment(ref _inFlight);
    public void Leave() => Interlocked.Decrement(ref _inFlight);

    /// <summary>Stops taking completions, lets those in flight finish within the drain period (then ends
    /// them with an error event), and returns when none is left.</summary>
    public async Task DrainAsync()
    {
        BeginShutdown();
        var until = DateTime.UtcNow + options.ShutdownDrain + TimeSpan.FromSeconds(5);
        while (InFlight > 0 && DateTime.UtcNow < until) await Task.Delay(10);
    }
}
