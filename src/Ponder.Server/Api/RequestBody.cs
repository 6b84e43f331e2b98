using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Ponder.Server.Api;

/// <summary>Reads a JSON request body under a size cap; every way it can be malformed is a 4xx.</summary>
public static class RequestBody
{
    public static async Task<JsonDocument> ReadJsonAsync(HttpContext ctx, long maxBytes)
    {
        var ct = ctx.Request.ContentType;
        // curl -d sends form-urlencoded by default; only a multipart body is clearly not JSON.
        if (ct != null && ct.StartsWith("multipart/", StringComparison.OrdinalIgnoreCase))
            throw new ApiException(415, $"the body must be JSON (Content-Type: application/json), not '{ct}'", null, "unsupported_media_type");
        if (ctx.Request.ContentLength > maxBytes) throw TooLarge(maxBytes);
        var buffer = new ArrayBufferWriter<byte>(4096);
        var stream = ctx.Request.Body;
        while (true)
        {
            var mem = buffer.GetMemory(8192);
            int read;
            try { read = await stream.ReadAsync(mem, ctx.RequestAborted); }
            catch (BadHttpRequestException e) when (e.StatusCode == 413) { throw TooLarge(maxBytes); }
            if (read == 0) break;
            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes) throw TooLarge(maxBytes);
        }
        if (buffer.WrittenCount == 0) throw ApiException.BadRequest("the request body is empty; send a JSON object", null, "invalid_json");
        // JsonDocument checks UTF-8 only when a string is read; check all of it here, once.
        if (!System.Text.Unicode.Utf8.IsValid(buffer.WrittenSpan))
            throw ApiException.BadRequest("the body is not valid UTF-8", null, "invalid_encoding");
        try
        {
            return JsonDocument.Parse(buffer.WrittenMemory.ToArray(), new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest($"the body is not valid JSON: {e.Message}", null, "invalid_json");
        }
    }

    static ApiException TooLarge(long max) =>
        new(413, $"the request body is larger than the server's limit of {max} bytes", null, "request_too_large");
}
