using System.Diagnostics.Metrics;
using Ponder.Engine;

namespace Ponder.Server.Metrics;

/// <summary>
/// The server's instruments (System.Diagnostics.Metrics, exported by OpenTelemetry's Prometheus
/// exporter at <c>/metrics</c>). Request-side figures are recorded as requests run; engine-side
/// figures (queue, KV blocks, prefix hits) are observed from <see cref="InferenceEngine.Stats"/> at
/// scrape time, so a router or autoscaler reads the same numbers the scheduler uses.
/// </summary>
public sealed class ServerMetrics : IDisposable
{
    public const string MeterName = "Ponder.Server";

    // Latencies of a CPU engine range from sub-millisecond (tiny model) to seconds (7B prefill).
    static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly Meter _meter;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _promptTokens;
    private readonly Counter<long> _cachedTokens;
    private readonly Counter<long> _generatedTokens;
    private readonly Histogram<double> _ttft;
    private readonly Histogram<double> _itl;
    private readonly Histogram<double> _duration;

    public ServerMetrics(InferenceEngine engine, string model)
    {
        _meter = new Meter(MeterName, "1.0");
        var modelTag = new KeyValuePair<string, object?>("model", model);
        _requests = _meter.CreateCounter<long>("ponder.requests", "{request}", "Completion requests handled, by endpoint and outcome");
        _promptTokens = _meter.CreateCounter<long>("ponder.prompt_tokens", "{token}", "Prompt tokens of completed requests");
        _cachedTokens = _meter.CreateCounter<long>("ponder.prompt_tokens_cached", "{token}", "Prompt tokens served from the prefix cache");
        _generatedTokens = _meter.CreateCounter<long>("ponder.generated_tokens", "{token}", "Tokens generated");
        _ttft = _meter.CreateHistogram("ponder.time_to_first_token", "s", "Time from request arrival to its first generated token",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _itl = _meter.CreateHistogram("ponder.inter_token_latency", "s", "Time between consecutive tokens of one sequence",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _duration = _meter.CreateHistogram("ponder.request_duration", "s", "Time from request arrival to its last token",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _meter.CreateObservableGauge("ponder.queue.waiting", () => new Measurement<int>(engine.Stats.Waiting, modelTag), "{sequence}", "Sequences waiting to be scheduled");
        _meter.CreateObservableGauge("ponder.queue.running", () => new Measurement<int>(engine.Stats.Running, modelTag), "{sequence}", "Sequences running");
        _meter.CreateObservableGauge("ponder.kv.blocks_total", () => new Measurement<int>(engine.Stats.Kv.Total, modelTag), "{block}", "KV cache blocks");
        _meter.CreateObservableGauge("ponder.kv.blocks_used", () => new Measurement<int>(engine.Stats.Kv.Used, modelTag), "{block}", "KV blocks held by sequences");
        _meter.CreateObservableGauge("ponder.kv.blocks_cached", () => new Measurement<int>(engine.Stats.Kv.Cached, modelTag), "{block}", "KV blocks free but kept for prefix reuse");
        _meter.CreateObservableGauge("ponder.kv.prefix_hit_rate", () =>
        {
            var kv = engine.Stats.Kv;
            long lookups = kv.Hits + kv.Misses;
            return new Measurement<double>(lookups == 0 ? 0 : (double)kv.Hits / lookups, modelTag);
        }, "1", "Share of prompt block lookups served from the prefix cache");
        _meter.CreateObservableCounter("ponder.preemptions", () => new Measurement<long>(engine.Stats.Preemptions, modelTag), "{sequence}", "Sequences preempted for lack of KV blocks");
    }

    public void Request(string endpoint, string outcome) =>
        _requests.Add(1, new("endpoint", endpoint), new("outcome", outcome));

    public void Usage(RequestUsage u)
    {
        _promptTokens.Add(u.PromptTokens);
        _cachedTokens.Add(u.CachedPromptTokens);
        _generatedTokens.Add(u.CompletionTokens);
    }

    public void FirstToken(TimeSpan t) => _ttft.Record(t.TotalSeconds);
    public void InterToken(TimeSpan t) => _itl.Record(t.TotalSeconds);
    public void Duration(TimeSpan t) => _duration.Record(t.TotalSeconds);

    public void Dispose() => _meter.Dispose();
}
