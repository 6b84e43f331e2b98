using System.CommandLine;
using Microsoft.Extensions.Logging;
using Ponder.Engine;
using Ponder.Server;

namespace Ponder.Cli.Commands;

/// <summary>
/// <c>ponder serve [-m MODEL] [--host 127.0.0.1] [--port 8080] [--api-key KEY] [--parallel N]
/// [--kv-memory SIZE] [-t THREADS]</c>: an OpenAI-compatible HTTP server (see docs/server.md).
/// Binds to localhost unless told otherwise; Ctrl+C lets streams in flight finish (or end them with an
/// error event after a short drain) before the process exits.
/// </summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var threads = CommonOptions.Threads();
        var host = new Option<string>("--host") { Description = "Address to listen on (0.0.0.0 for all interfaces)", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "TCP port", DefaultValueFactory = _ => 8080 };
        var apiKey = new Option<string?>("--api-key") { Description = "Require 'Authorization: Bearer KEY' (default: the PONDER_API_KEY environment variable, else none)" };
        var parallel = new Option<int>("--parallel") { Description = "Sequences decoded together", DefaultValueFactory = _ => 64 };
        var kvMemory = new Option<string>("--kv-memory") { Description = "KV cache size, e.g. 512MiB", DefaultValueFactory = _ => "256MiB" };
        var maxN = new Option<int>("--max-n") { Description = "Largest n a request may ask for", DefaultValueFactory = _ => 16 };
        var alias = new Option<string?>("--alias") { Description = "Model id clients use (default: the file name)" };
        var template = new Option<string?>("--chat-template-file") { Description = "A Jinja chat template that replaces the model's own" };
        var cmd = new Command("serve", "Serve the model over an OpenAI-compatible HTTP API")
        {
            model, threads, host, port, apiKey, parallel, kvMemory, maxN, alias, template,
        };
        cmd.SetAction(async (r, ct) =>
        {
            int par = r.GetValue(parallel);
            if (par < 1) throw new ArgumentException($"--parallel must be at least 1, got {par}");
            string path = CommonOptions.ResolveModel(r.GetValue(model));
            string? tpl = r.GetValue(template) is { } tf ? File.ReadAllText(tf) : null;
            var modelOptions = new ModelOptions
            {
                Path = path,
                Id = r.GetValue(alias),
                Threads = r.GetValue(threads),
                KvMemoryBytes = EngineOptions.ParseBytes(r.GetValue(kvMemory)!),
                Parallel = par,
                MaxN = r.GetValue(maxN),
                ChatTemplate = tpl,
            };
            var serverOptions = new ServerOptions
            {
                Host = r.GetValue(host)!,
                Port = r.GetValue(port),
                ApiKey = r.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("PONDER_API_KEY"),
            };
            var m = PonderModel.Load(modelOptions);
            if (m.TemplateWarning != null) Console.Error.WriteLine($"warning: {m.TemplateWarning}");
            await using var server = PonderServer.Create(m, serverOptions, ownsModel: true,
                logging: l => l.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
            await server.StartAsync(ct);
            var kv = m.Engine.Stats.Kv;
            Console.Error.WriteLine($"ponder: serving '{m.Id}' (context {m.ContextLength}, {kv.Total} KV blocks of {m.Engine.Options.BlockTokens} tokens) at {server.BaseAddress}v1{(serverOptions.ApiKey != null ? " (API key required)" : "")}");
            Console.Error.WriteLine("ponder: Ctrl+C to stop");
            // Our own signal handlers, so the process does not start exiting before streams drain.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            void OnSignal(System.Runtime.InteropServices.PosixSignalContext c) { c.Cancel = true; stop.Cancel(); }
            using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, OnSignal);
            using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, OnSignal);
            try { await Task.Delay(Timeout.Infinite, stop.Token); } catch (OperationCanceledException) { }
            Console.Error.WriteLine("ponder: shutting down; letting streams in flight finish");
            await server.StopAsync(CancellationToken.None);
            return 0;
        });
        return cmd;
    }
}
