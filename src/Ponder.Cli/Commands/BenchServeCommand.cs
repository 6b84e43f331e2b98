using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Ponder.Cli.Commands;

/// <summary>
/// <c>ponder bench-serve --url URL [--clients 64] [--duration 60s] [--max-tokens 32]</c>: closed-loop load
/// on a running <c>ponder serve</c>. Each client sends streaming chat completions back to back; the
/// run reports requests/s, generated tokens/s, time to first token and inter-token latency (p50/p99),
/// errors, and the server's memory (from /health) at start, middle and end. Loopback addresses only,
/// and bounded (at most 256 clients for at most 10 minutes), so it can never load someone else's host.
/// </summary>
public static class BenchServeCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = "Server base URL (loopback only)", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var clients = new Option<int>("--clients") { Description = "Concurrent clients (1..256)", DefaultValueFactory = _ => 64 };
        var duration = new Option<string>("--duration") { Description = "How long to send new requests: 60s, 2m (at most 10m)", DefaultValueFactory = _ => "60s" };
        var maxTokens = new Option<int>("--max-tokens") { Description = "max_tokens of each request", DefaultValueFactory = _ => 32 };
        var prompt = new Option<string>("--prompt") { Description = "User message of each request", DefaultValueFactory = _ => "Write a short story about a lighthouse keeper." };
        var apiKey = new Option<string?>("--api-key") { Description = "Bearer key, if the server needs one" };
        var json = CommonOptions.Json();
        var cmd = new Command("bench-serve", "Load-test a running ponder serve over loopback")
        {
            url, clients, duration, maxTokens, prompt, apiKey, json,
        };
        cmd.SetAction(async (r, ct) =>
        {
            var baseUri = new Uri(r.GetValue(url)!.TrimEnd('/') + "/");
            if (!IsLoopback(baseUri)) throw new ArgumentException($"--url {baseUri} is not a loopback address; bench-serve only loads 127.0.0.0/8, ::1 or localhost");
            int n = r.GetValue(clients);
            if (n is < 1 or > 256) throw new ArgumentException($"--clients {n} must be 1..256");
            var span = ParseDuration(r.GetValue(duration)!);
            if (span <= TimeSpan.Zero || span > TimeSpan.FromMinutes(10)) throw new ArgumentException($"--duration {span} must be more than 0 and at most 10m");
            int max = r.GetValue(maxTokens);
            if (max < 1) throw new ArgumentException("--max-tokens must be at least 1");
            var result = await RunAsync(baseUri, n, span, max, r.GetValue(prompt)!, r.GetValue(apiKey), ct);
            if (r.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(result, CommonOptions.SnakeCase));
            else Print(result);
            return result.Errors == 0 ? 0 : 1;
        });
        return cmd;
    }

    static bool IsLoopback(Uri u) =>
        u.IsLoopback || (IPAddress.TryParse(u.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    static TimeSpan ParseDuration(string s)
    {
        s = s.Trim();
        double Num(string t) => double.TryParse(t, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v)
            ? v : throw new ArgumentException($"--duration '{s}' is not a duration (examples: 60s, 2m, 90)");
        if (s.EndsWith("ms")) return TimeSpan.FromMilliseconds(Num(s[..^2]));
        if (s.EndsWith('s')) return TimeSpan.FromSeconds(Num(s[..^1]));
        if (s.EndsWith('m')) return TimeSpan.FromMinutes(Num(s[..^1]));
        return TimeSpan.FromSeconds(Num(s));
    }

    public sealed record BenchServeResult(string Url, string Model, int Clients, double DurationSeconds, int MaxTokens,
        long Requests, long Errors, long GeneratedTokens, double RequestsPerSecond, double TokensPerSecond,
        double TtftP50Ms, double TtftP99Ms, double ItlP50Ms, double ItlP99Ms, long MemoryStartBytes, long MemoryMidBytes, long MemoryEndBytes, long HeapStartBytes, long HeapMidBytes, long HeapEndBytes,
        string? FirstError);

    sealed class Stats
    {
        public readonly object Lock = new();
        public readonly List<double> Ttft = new(), Itl = new();
        public long Requests, Errors, Tokens;
        public string? FirstError;
        public void Error(string e) { Interlocked.Increment(ref Errors); lock (Lock) FirstError ??= e; }
    }

    static async Task<BenchServeResult> RunAsync(Uri baseUri, int clients, TimeSpan span, int maxTokens, string prompt, string? key, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients, PooledConnectionLifetime = TimeSpan.FromMinutes(15) })
        {
            BaseAddress = baseUri,
            Timeout = TimeSpan.FromMinutes(2),
        };
        if (key != null) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var models = JsonDocument.Parse(await http.GetStringAsync("v1/models", ct));
        string model = models.RootElement.GetProperty("data")[0].GetProperty("id").GetString()!;
        var (memStart, heapStart) = await Memory(http, ct);
        long memMid = 0, heapMid = 0;
        var stats = new Stats();
        var clock = Stopwatch.StartNew();
        var deadline = clock.Elapsed + span;
        string body = JsonSerializer.Serialize(new
        {
            model, max_tokens = maxTokens, temperature = 0.8, stream = true, stream_options = new { include_usage = true },
            messages = new[] { new { role = "user", content = prompt } },
        });
        var workers = Enumerable.Range(0, clients).Select(i => Task.Run(async () =>
        {
            while (clock.Elapsed < deadline && !ct.IsCancellationRequested)
                await OneRequest(http, body, stats, ct);
        }, ct)).ToList();
        var midTask = Task.Run(async () =>
        {
            await Task.Delay(span / 2, ct);
            (memMid, heapMid) = await Memory(http, ct);
        }, ct);
        await Task.WhenAll(workers);
        await midTask;
        double seconds = clock.Elapsed.TotalSeconds;
        var (memEnd, heapEnd) = await Memory(http, ct);
        stats.Ttft.Sort();
        stats.Itl.Sort();
        return new BenchServeResult(baseUri.ToString(), model, clients, Math.Round(seconds, 2), maxTokens, stats.Requests, stats.Errors, stats.Tokens,
            Math.Round(stats.Requests / seconds, 2), Math.Round(stats.Tokens / seconds, 1),
            Pct(stats.Ttft, 0.50), Pct(stats.Ttft, 0.99), Pct(stats.Itl, 0.50), Pct(stats.Itl, 0.99),
            memStart, memMid, memEnd, heapStart, heapMid, heapEnd, stats.FirstError);
    }

    static double Pct(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : Math.Round(sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))], 3);

    /// <summary>The server's working set and managed heap, from /health.</summary>
    static async Task<(long, long)> Memory(HttpClient http, CancellationToken ct)
    {
        try
        {
            using var doc = JsonDocument.Parse(await http.GetStringAsync("health", ct));
            return (doc.RootElement.GetProperty("memory_bytes").GetInt64(), doc.RootElement.GetProperty("gc_heap_bytes").GetInt64());
        }
        catch (Exception) when (!ct.IsCancellationRequested) { return (-1, -1); }
    }

    static async Task OneRequest(HttpClient http, string body, Stats stats, CancellationToken ct)
    {
        var start = Stopwatch.GetTimestamp();
        long last = 0;
        var ttft = -1.0;
        var itl = new List<double>();
        try
        {
            using var req = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            using var res = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct);
            if (!res.IsSuccessStatusCode)
            {
                stats.Error($"HTTP {(int)res.StatusCode}: {await res.Content.ReadAsStringAsync(ct)}");
                return;
            }
            using var reader = new StreamReader(await res.Content.ReadAsStreamAsync(ct));
            bool done = false;
            long tokens = 0;
            while (await reader.ReadLineAsync(ct) is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal)) continue;
                var data = line.AsSpan(6);
                if (data.SequenceEqual("[DONE]")) { done = true; break; }
                using var doc = JsonDocument.Parse(line.AsMemory(6));
                var root = doc.RootElement;
                if (root.TryGetProperty("error", out var err)) { stats.Error(err.GetRawText()); return; }
                if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
                    tokens = usage.GetProperty("completion_tokens").GetInt64();
                foreach (var c in root.GetProperty("choices").EnumerateArray())
                {
                    if (!c.TryGetProperty("delta", out var d) || !d.TryGetProperty("content", out var content) || content.GetString() is not { Length: > 0 }) continue;
                    long now = Stopwatch.GetTimestamp();
                    if (ttft < 0) ttft = Stopwatch.GetElapsedTime(start, now).TotalMilliseconds;
                    else itl.Add(Stopwatch.GetElapsedTime(last, now).TotalMilliseconds);
                    last = now;
                }
            }
            if (!done) { stats.Error("stream ended without [DONE]"); return; }
            Interlocked.Increment(ref stats.Requests);
            Interlocked.Add(ref stats.Tokens, tokens);
            lock (stats.Lock)
            {
                if (ttft >= 0) stats.Ttft.Add(ttft);
                stats.Itl.AddRange(itl);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        catch (Exception e) { stats.Error(e.GetType().Name + ": " + e.Message); }
    }

    static void Print(BenchServeResult r)
    {
        Console.WriteLine($"bench-serve {r.Url} model {r.Model}: {r.Clients} clients, {r.DurationSeconds:F1} s, max_tokens {r.MaxTokens}");
        Console.WriteLine($"  requests     {r.Requests,10}   {r.RequestsPerSecond,10:F2} req/s");
        Console.WriteLine($"  tokens       {r.GeneratedTokens,10}   {r.TokensPerSecond,10:F1} tok/s");
        Console.WriteLine($"  TTFT         p50 {r.TtftP50Ms,9:F1} ms   p99 {r.TtftP99Ms,9:F1} ms");
        Console.WriteLine($"  inter-token  p50 {r.ItlP50Ms,9:F2} ms   p99 {r.ItlP99Ms,9:F2} ms");
        Console.WriteLine($"  errors       {r.Errors,10}{(r.FirstError != null ? "   first: " + r.FirstError : "")}");
        Console.WriteLine($"  server working set   start {r.MemoryStartBytes / 1048576.0,7:F1} MiB   middle {r.MemoryMidBytes / 1048576.0,7:F1} MiB   end {r.MemoryEndBytes / 1048576.0,7:F1} MiB");
        Console.WriteLine($"  server managed heap  start {r.HeapStartBytes / 1048576.0,7:F1} MiB   middle {r.HeapMidBytes / 1048576.0,7:F1} MiB   end {r.HeapEndBytes / 1048576.0,7:F1} MiB");
    }
}
