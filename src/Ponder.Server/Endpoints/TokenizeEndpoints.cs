using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Ponder.Engine.KvCache;
using Ponder.Server.Api;

namespace Ponder.Server.Endpoints;

/// <summary>
/// <c>POST /tokenize</c> (<c>{"content": text}</c> or <c>{"messages": [...]}</c>, optional
/// <c>add_special</c>, <c>with_pieces</c>) and <c>POST /detokenize</c> (<c>{"tokens": [...]}</c>).
/// /tokenize also returns the prompt's KV block hashes, chained exactly as the engine's prefix index
/// computes them, so a router can send a request to the replica that holds its prefix.
/// </summary>
public static class TokenizeEndpoints
{
    public static IEndpointRouteBuilder MapTokenize(this IEndpointRouteBuilder app)
    {
        app.MapPost("/tokenize", async (HttpContext ctx, ServerState s) =>
        {
            using var doc = await RequestBody.ReadJsonAsync(ctx, s.Options.MaxBodyBytes);
            var f = JsonFields.Root(doc.RootElement);
            var m = s.Model;
            int[] ids;
            if (f.Has("messages"))
            {
                var chat = CompletionRequest.ParseChat(WithModel(doc.RootElement, m.Id), m);
                ids = chat.Prompt;
            }
            else
            {
                string text = f.String("content") ?? f.String("prompt")
                    ?? throw ApiException.BadRequest("'content' (text) or 'messages' is required", "content", "missing_required_parameter");
                ids = m.Tokenizer.Encode(text, addSpecial: f.Bool("add_special") ?? true, parseSpecial: true);
            }
            string[]? pieces = f.Bool("with_pieces") == true ? ids.Select(i => m.Tokenizer.TokenText(i)).ToArray() : null;
            var hashes = BlockHash.Chain(ids, m.Engine.Options.BlockTokens);
            return TypedResults.Json(new TokenizeResponse(ids, ids.Length, m.ContextLength, hashes, pieces), ApiJson.Options);
        });
        app.MapPost("/detokenize", async (HttpContext ctx, ServerState s) =>
        {
            using var doc = await RequestBody.ReadJsonAsync(ctx, s.Options.MaxBodyBytes);
            var f = JsonFields.Root(doc.RootElement);
            var arr = f.Array("tokens") ?? throw ApiException.BadRequest("'tokens' is required", "tokens", "missing_required_parameter");
            int vocab = s.Model.Transformer.Config.VocabSize;
            var ids = new List<int>();
            foreach (var t in arr.EnumerateArray())
            {
                if (t.ValueKind != JsonValueKind.Number || !t.TryGetInt32(out int id))
                    throw ApiException.BadRequest("'tokens' must contain only integer token ids", "tokens", "invalid_type");
                if ((uint)id >= (uint)vocab)
                    throw ApiException.BadRequest($"token id {id} is outside the vocabulary (0..{vocab - 1})", "tokens", "invalid_value");
                ids.Add(id);
            }
            return TypedResults.Json(new DetokenizeResponse(s.Model.Tokenizer.Decode(ids.ToArray())), ApiJson.Options);
        });
        return app;
    }

    /// <summary>/tokenize does not require "model"; the chat parser does.</summary>
    static JsonElement WithModel(JsonElement e, string model)
    {
        if (e.TryGetProperty("model", out _)) return e;
        var node = System.Text.Json.Nodes.JsonNode.Parse(e.GetRawText())!.AsObject();
        node["model"] = model;
        return JsonDocument.Parse(node.ToJsonString()).RootElement;
    }
}
