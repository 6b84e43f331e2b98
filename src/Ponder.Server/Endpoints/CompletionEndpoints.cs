using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Ponder.Engine;
using Ponder.Server.Api;

namespace Ponder.Server.Endpoints;

/// <summary><c>POST /v1/chat/completions</c> and <c>POST /v1/completions</c>, whole or streamed (SSE).</summary>
public static class CompletionEndpoints
{
    public static IEndpointRouteBuilder MapCompletions(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/chat/completions", (HttpContext ctx, ServerState s) => Handle(ctx, s, chat: true));
        app.MapPost("/v1/completions", (HttpContext ctx, ServerState s) => Handle(ctx, s, chat: false));
        return app;
    }

    static readonly byte[] DataPrefix = "data: "u8.ToArray();
    static readonly byte[] EventEnd = "\n\n"u8.ToArray();
    static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    static async Task Handle(HttpContext ctx, ServerState s, bool chat)
    {
        string endpoint = chat ? "chat" : "completions";
        if (s.ShuttingDown) throw new ApiException(503, "the server is shutting down", null, "server_shutting_down", "server_error");
        var start = Stopwatch.GetTimestamp();
        CompletionRequest req;
        try
        {
            using var doc = await RequestBody.ReadJsonAsync(ctx, s.Options.MaxBodyBytes);
            req = chat ? CompletionRequest.ParseChat(doc.RootElement, s.Model) : CompletionRequest.ParseText(doc.RootElement, s.Model);
        }
        catch (ApiException)
        {
            s.Metrics.Request(endpoint, "rejected");
            throw;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, s.Abort);
        RequestHandle handle;
        try { handle = s.Model.Engine.Submit(req.Generation, linked.Token); }
        catch (Exception e) when (e is ArgumentException or PonderException)
        {
            s.Metrics.Request(endpoint, "rejected");
            throw ApiException.BadRequest(e.Message, null, e is ContextOverflowException ? "context_length_exceeded" : "invalid_value");
        }

        var run = new Run(s, req, chat, start);
        s.Enter();
        try
        {
            if (req.Stream) await Stream(ctx, s, run, handle, linked.Token);
            else await Whole(ctx, s, run, handle);
        }
        finally { s.Leave(); }
        s.Metrics.Request(endpoint, ctx.RequestAborted.IsCancellationRequested ? "disconnected" : "ok");
    }

    /// <summary>Per-request bookkeeping: ids, per-choice text and logprobs, latency metrics.</summary>
    sealed class Run(ServerState s, CompletionRequest req, bool chat, long start)
    {
        public readonly string Id = (chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N");
        public readonly long Created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        public readonly CompletionRequest Req = req;
        public readonly bool Chat = chat;
        readonly long[] _last = new long[req.Generation.N];
        bool _first = true;

        public void Timing(TokenEvent e)
        {
            if (e.IsFinal) return;
            long now = Stopwatch.GetTimestamp();
            if (_first) { _first = false; s.Metrics.FirstToken(Stopwatch.GetElapsedTime(start, now)); }
            else if (_last[e.Index] != 0) s.Metrics.InterToken(Stopwatch.GetElapsedTime(_last[e.Index], now));
            _last[e.Index] = now;
        }

        public void End(RequestUsage u)
        {
            s.Metrics.Usage(u);
            s.Metrics.Duration(Stopwatch.GetElapsedTime(start));
        }

        /// <summary>The end-of-generation token is how the model stops, not part of the answer.</summary>
        public bool Visible(TokenEvent e) => !e.IsFinal && !(e.Text.Length == 0 && s.Model.Tokenizer.IsEndOfGeneration(e.Token));

        public TokenLogprobInfo Logprob(TokenEvent e)
        {
            var tops = new List<TopLogprob>(e.Top?.Length ?? 0);
            if (e.Top != null) foreach (var t in e.Top) tops.Add(new TopLogprob(Piece(t.Id), t.Logprob, Bytes(t.Id)));
            return new TokenLogprobInfo(Piece(e.Token), e.Logprob, Bytes(e.Token), tops);
        }

        string Piece(int id) => Encoding.UTF8.GetString(s.Model.Tokenizer.TokenBytes(id));
        int[] Bytes(int id) => Array.ConvertAll(s.Model.Tokenizer.TokenBytes(id), b => (int)b);
    }

    static string FinishName(FinishReason f) => f switch
    {
        FinishReason.Stop => "stop",
        FinishReason.Length => "length",
        FinishReason.Cancelled => "abort",
        _ => "error",
    };

    static Usage ToUsage(RequestUsage u) =>
        new(u.PromptTokens, u.CompletionTokens, u.PromptTokens + u.CompletionTokens, new PromptTokensDetails(u.CachedPromptTokens));

    static async Task Whole(HttpContext ctx, ServerState s, Run run, RequestHandle handle)
    {
        int n = run.Req.Generation.N;
        var text = new StringBuilder[n];
        var lps = new List<TokenLogprobInfo>?[n];
        var finish = new FinishReason[n];
        for (int i = 0; i < n; i++) { text[i] = new(); if (run.Req.Logprobs) lps[i] = new(); }
        string? error = null;
        await foreach (var e in handle.Events())
        {
            run.Timing(e);
            text[e.Index].Append(e.Text);
            if (e.Finish is { } f) { finish[e.Index] = f; error ??= e.Error; continue; }
            if (run.Req.Logprobs && run.Visible(e)) lps[e.Index]!.Add(run.Logprob(e));
        }
        var usage = await handle.Usage;
        run.End(usage);
        if (ctx.RequestAborted.IsCancellationRequested) return;
        if (error != null) throw new ApiException(500, $"generation failed: {error}", null, "engine_error", "server_error");
        if (finish.Any(f => f == FinishReason.Cancelled))
            throw new ApiException(503, "the server shut down before the completion finished", null, "server_shutting_down", "server_error");
        object body;
        if (run.Chat)
        {
            var choices = new ChatChoice[n];
            for (int i = 0; i < n; i++)
                choices[i] = new ChatChoice(i, new ChatMessageOut("assistant", text[i].ToString()),
                    lps[i] is { } l ? new ChoiceLogprobs(l) : null, FinishName(finish[i]));
            body = new ChatCompletion(run.Id, run.Created, run.Req.Model, choices, ToUsage(usage));
        }
        else
        {
            var choices = new TextChoice[n];
            for (int i = 0; i < n; i++)
                choices[i] = new TextChoice(i, text[i].ToString(), lps[i] is { } l ? TextLogprobs(l) : null, FinishName(finish[i]));
            body = new TextCompletion(run.Id, run.Created, run.Req.Model, choices, ToUsage(usage));
        }
        ctx.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(ctx.Response.Body, body, body.GetType(), ApiJson.Options, ctx.RequestAborted);
    }

    static TextLogprobs TextLogprobs(List<TokenLogprobInfo> l)
    {
        var r = new TextLogprobs(new(), new(), new(), new());
        int offset = 0;
        foreach (var t in l)
        {
            r.Tokens.Add(t.Token);
            r.TokenLogprobs.Add(t.Logprob);
            var top = new Dictionary<string, float>();
            foreach (var x in t.TopLogprobs) top.TryAdd(x.Token, x.Logprob);
            r.TopLogprobs.Add(top);
            r.TextOffset.Add(offset);
            offset += t.Token.Length;
        }
        return r;
    }

    static async Task Stream(HttpContext ctx, ServerState s, Run run, RequestHandle handle, CancellationToken ct)
    {
        var res = ctx.Response;
        res.ContentType = "text/event-stream";
        res.Headers.CacheControl = "no-cache";
        res.Headers["X-Accel-Buffering"] = "no";
        int n = run.Req.Generation.N;
        var started = new bool[n];
        var body = res.Body;
        try
        {
            await res.StartAsync(ct);
            if (run.Chat)
            {
                // OpenAI opens each choice with the role and empty content.
                for (int i = 0; i < n; i++)
                    await Write(body, new ChatCompletionChunk(run.Id, run.Created, run.Req.Model,
                        [new ChatChunkChoice(i, new ChatDelta("assistant", ""), null, null)], null), ct);
                await body.FlushAsync(ct);
            }
            string? error = null;
            await foreach (var e in handle.Events(ct))
            {
                run.Timing(e);
                string? finish = e.Finish is { } f ? FinishName(f) : null;
                if (e.Finish == FinishReason.Error) error ??= e.Error ?? "generation failed";
                if (e.Finish == FinishReason.Cancelled) { error ??= "the server shut down before the completion finished"; continue; }
                bool visible = run.Visible(e);
                List<TokenLogprobInfo>? lp = run.Req.Logprobs && visible ? [run.Logprob(e)] : null;
                if (finish == null && e.Text.Length == 0 && lp == null) continue; // bytes held for a UTF-8 character
                object chunk = run.Chat
                    ? new ChatCompletionChunk(run.Id, run.Created, run.Req.Model,
                        [new ChatChunkChoice(e.Index, new ChatDelta(null, e.Text.Length > 0 || lp != null ? e.Text : null), lp is null ? null : new ChoiceLogprobs(lp), finish)], null)
                    : new TextCompletion(run.Id, run.Created, run.Req.Model,
                        [new TextChoice(e.Index, e.Text, lp is null ? null : TextLogprobs(lp), finish)], null);
                await Write(body, chunk, ct);
                await body.FlushAsync(ct);
            }
            var usage = await handle.Usage;
            run.End(usage);
            if (error != null)
            {
                // A clean end a client can parse: an error event, then [DONE].
                await Write(body, new ErrorResponse(new ErrorBody(error, "server_error", null, "generation_ended")), CancellationToken.None);
            }
            else if (run.Req.IncludeUsage)
            {
                object last = run.Chat
                    ? new ChatCompletionChunk(run.Id, run.Created, run.Req.Model, [], ToUsage(usage))
                    : new TextCompletion(run.Id, run.Created, run.Req.Model, [], ToUsage(usage));
                await Write(body, last, ct);
            }
            await body.WriteAsync(Done, CancellationToken.None);
            await body.FlushAsync(CancellationToken.None);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client went away: the engine saw the same token and frees the KV blocks at its next step.
            handle.Cancel();
        }
        catch (OperationCanceledException) when (s.Abort.IsCancellationRequested)
        {
            handle.Cancel();
            try
            {
                await Write(body, new ErrorResponse(new ErrorBody("the server shut down before the completion finished", "server_error", null, "server_shutting_down")), CancellationToken.None);
                await body.WriteAsync(Done, CancellationToken.None);
                await body.FlushAsync(CancellationToken.None);
            }
            catch (Exception) when (ctx.RequestAborted.IsCancellationRequested) { }
        }
    }

    static async Task Write(Stream body, object value, CancellationToken ct)
    {
        await body.WriteAsync(DataPrefix, ct);
        await JsonSerializer.SerializeAsync(body, value, value.GetType(), ApiJson.Options, ct);
        await body.WriteAsync(EventEnd, ct);
    }
}
