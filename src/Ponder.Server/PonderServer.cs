using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using Ponder.Server.Api;
using Ponder.Server.Endpoints;
using Ponder.Server.Metrics;

namespace Ponder.Server;

/// <summary>
/// The OpenAI-compatible HTTP server over one <see cref="PonderModel"/>: builds the ASP.NET Core app
/// (Kestrel, API-key check, OpenAI-style errors, metrics) and maps each feature group.
/// </summary>
public sealed class PonderServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsModel;

    public PonderModel Model { get; }
    public ServerState State { get; }

    /// <summary>The address it listens on (with the real port when 0 was asked for), once started.</summary>
    public Uri BaseAddress => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    PonderServer(WebApplication app, PonderModel model, ServerState state, bool ownsModel)
    {
        _app = app;
        Model = model;
        State = state;
        _ownsModel = ownsModel;
    }

    /// <summary>Builds a server; <paramref name="ownsModel"/>: dispose the model with the server.</summary>
    public static PonderServer Create(PonderModel model, ServerOptions options, bool ownsModel = true, Action<ILoggingBuilder>? logging = null)
    {
        if (!IPAddress.TryParse(options.Host, out var ip) && options.Host != "localhost")
            throw new ArgumentException($"--host '{options.Host}' is not an IP address (examples: 127.0.0.1, 0.0.0.0, ::1)");
        if (options.Port is < 0 or > 65535) throw new ArgumentException($"--port {options.Port} must be 0..65535");

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "Ponder.Server", Args = [] });
        builder.Logging.ClearProviders();
        if (logging != null) logging(builder.Logging);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            if (ip != null) k.Listen(ip, options.Port);
            else k.ListenLocalhost(options.Port);
        });
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = options.ShutdownDrain + TimeSpan.FromSeconds(5));
        var metrics = new ServerMetrics(model.Engine, model.Id);
        var state = new ServerState(model, options, metrics);
        builder.Services.AddSingleton(state);
        builder.Services.AddSingleton<IHostLifetime, ExternalLifetime>();
        builder.Services.AddOpenTelemetry().WithMetrics(m => m.AddMeter(ServerMetrics.MeterName).AddPrometheusExporter());

        var app = builder.Build();
        app.Lifetime.ApplicationStopping.Register(state.BeginShutdown);
        app.Use(Errors);
        if (options.ApiKey is { Length: > 0 } key) app.Use(ApiKeyCheck(key));
        app.MapHealth();
        app.MapModels();
        app.MapCompletions();
        app.MapTokenize();
        app.MapPrometheusScrapingEndpoint("/metrics");
        app.MapFallback((HttpContext ctx) =>
            throw new ApiException(404, $"no route {ctx.Request.Method} {ctx.Request.Path}; see GET /v1/models, POST /v1/chat/completions, POST /v1/completions", null, "not_found"));
        return new PonderServer(app, model, state, ownsModel);
    }

    public Task StartAsync(CancellationToken ct = default) => _app.StartAsync(ct);

    /// <summary>Runs until <paramref name="ct"/> fires or the host is told to stop (Ctrl+C, SIGTERM).</summary>
    public async Task RunAsync(CancellationToken ct = default)
    {
        await _app.StartAsync(ct);
        await _app.WaitForShutdownAsync(ct);
    }

    /// <summary>Graceful stop: no new completions (503), streams in flight finish or end with an error
    /// event and <c>[DONE]</c>, then Kestrel stops.</summary>
    public async Task StopAsync(CancellationToken ct = default)
    {
        await State.DrainAsync();
        await _app.StopAsync(ct);
    }

    /// <summary>The CLI owns Ctrl+C / SIGTERM (System.CommandLine cancels its token and calls
    /// <see cref="StopAsync"/>); the host's console lifetime would stop Kestrel before streams drain.</summary>
    sealed class ExternalLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken ct) => Task.CompletedTask;
        public Task StopAsync(CancellationToken ct) => Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        State.Metrics.Dispose();
        if (_ownsModel) Model.Dispose();
    }

    /// <summary>Every failure becomes OpenAI's error object; input problems are 4xx, never 5xx.</summary>
    static async Task Errors(HttpContext ctx, RequestDelegate next)
    {
        try
        {
            await next(ctx);
            if (ctx.Response.StatusCode == 405 && !ctx.Response.HasStarted)
                await WriteError(ctx, 405, $"{ctx.Request.Method} is not allowed on {ctx.Request.Path}", "invalid_request_error", null, "method_not_allowed");
        }
        catch (ApiException e)
        {
            await WriteError(ctx, e.Status, e.Message, e.Type, e.Param, e.Code);
        }
        catch (BadHttpRequestException e)
        {
            await WriteError(ctx, e.StatusCode, e.Message, "invalid_request_error", null, e.StatusCode == 413 ? "request_too_large" : "bad_request");
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // the client left; nothing to answer
        }
        catch (Exception e)
        {
            ctx.RequestServices.GetService<ILoggerFactory>()?.CreateLogger("Ponder.Server").LogError(e, "request failed");
            await WriteError(ctx, 500, $"internal error: {e.Message}", "server_error", null, "internal_error");
        }
    }

    static async Task WriteError(HttpContext ctx, int status, string message, string type, string? param, string? code)
    {
        if (ctx.Response.HasStarted || ctx.RequestAborted.IsCancellationRequested) return;
        ctx.Response.Clear();
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        if (status == 401) ctx.Response.Headers.WWWAuthenticate = "Bearer";
        await JsonSerializer.SerializeAsync(ctx.Response.Body, new ErrorResponse(new ErrorBody(message, type, param, code)), ApiJson.Options);
    }

    /// <summary><c>Authorization: Bearer KEY</c> on everything but /health. Keys are compared as SHA-256
    /// digests with <see cref="CryptographicOperations.FixedTimeEquals"/>, so neither the content nor
    /// the length of the key leaks through timing.</summary>
    static Func<HttpContext, RequestDelegate, Task> ApiKeyCheck(string key)
    {
        byte[] expected = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        return (ctx, next) =>
        {
            if (ctx.Request.Path.StartsWithSegments("/health")) return next(ctx);
            string? header = ctx.Request.Headers.Authorization;
            string given = header != null && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";
            byte[] got = SHA256.HashData(Encoding.UTF8.GetBytes(given));
            if (given.Length == 0 || !CryptographicOperations.FixedTimeEquals(expected, got))
                throw new ApiException(401, given.Length == 0
                    ? "no API key given; send 'Authorization: Bearer KEY'"
                    : "the API key is not valid", null, "invalid_api_key", "authentication_error");
            return next(ctx);
        };
    }
}
