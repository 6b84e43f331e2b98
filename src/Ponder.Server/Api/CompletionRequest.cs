using System.Text.Json;
using Ponder.Engine;
using Ponder.Sampling;
using Ponder.Server.Templates;

namespace Ponder.Server.Api;

/// <summary>A validated chat or text completion request, ready for the engine.</summary>
public sealed record CompletionRequest
{
    public required string Model { get; init; }
    public required int[] Prompt { get; init; }
    public required GenerationRequest Generation { get; init; }
    public bool Stream { get; init; }
    public bool IncludeUsage { get; init; }
    public bool Logprobs { get; init; }
    public int TopLogprobs { get; init; }
    /// <summary>The caller left max_tokens out: generation runs to the end of the context.</summary>
    public bool MaxTokensDefaulted { get; init; }

    static readonly HashSet<string> Roles = ["system", "developer", "user", "assistant", "tool", "function"];

    /// <summary>Parses <c>POST /v1/chat/completions</c>.</summary>
    public static CompletionRequest ParseChat(JsonElement body, PonderModel model)
    {
        var f = JsonFields.Root(body);
        CheckCommon(f, model);
        var messagesEl = f.Array("messages") ?? throw ApiException.BadRequest("'messages' is required", "messages", "missing_required_parameter");
        var messages = new List<TemplateMessage>();
        int i = 0;
        foreach (var m in messagesEl.EnumerateArray())
        {
            string p = $"messages[{i++}]";
            if (m.ValueKind != JsonValueKind.Object) throw ApiException.BadRequest($"'{p}' must be an object, not {JsonFields.Kind(m)}", p, "invalid_type");
            var mf = new JsonFields(m, p + ".");
            string role = mf.RequiredString("role");
            if (!Roles.Contains(role))
                throw ApiException.BadRequest($"'{p}.role' is '{role}'; it must be one of system, developer, user, assistant, tool", p + ".role", "invalid_value");
            string? content = Content(mf, p, role);
            Dictionary<string, object?>? extra = null;
            foreach (var prop in m.EnumerateObject())
            {
                if (prop.Name is "role" or "content") continue;
                (extra ??= new())[prop.Name] = TemplateValues.FromJson(prop.Value);
            }
            messages.Add(new TemplateMessage(role == "developer" ? "system" : role, content, extra));
        }
        if (messages.Count == 0) throw ApiException.BadRequest("'messages' must contain at least one message", "messages", "invalid_value");
        List<object?>? tools = null;
        if (f.Array("tools") is { } toolsEl) tools = (List<object?>)TemplateValues.FromJson(toolsEl)!;

        int[] prompt;
        try { prompt = model.EncodeChat(messages, addGenerationPrompt: true, tools); }
        catch (TemplateRaisedException e) { throw ApiException.BadRequest($"the model's chat template rejected the conversation: {e.Message}", "messages", "invalid_messages"); }
        catch (TemplateException e) { throw ApiException.BadRequest($"the model's chat template failed on this conversation: {e.Message}", "messages", "template_error"); }

        bool logprobs = f.Bool("logprobs") ?? false;
        int top = (int)(f.Integer("top_logprobs", 0, SamplingParams.MaxTopLogprobs) ?? 0);
        if (top > 0 && !logprobs)
            throw ApiException.BadRequest("'top_logprobs' needs 'logprobs': true", "top_logprobs", "invalid_value");
        long? max = f.Integer("max_completion_tokens", 0, int.MaxValue) ?? f.Integer("max_tokens", 0, int.MaxValue);
        return Build(f, model, prompt, max, logprobs, top);
    }

    /// <summary>Parses <c>POST /v1/completions</c>.</summary>
    public static CompletionRequest ParseText(JsonElement body, PonderModel model)
    {
        var f = JsonFields.Root(body);
        CheckCommon(f, model);
        if (f.Get("prompt") is not { } p) throw ApiException.BadRequest("'prompt' is required", "prompt", "missing_required_parameter");
        int[] prompt = PromptTokens(p, model);
        if (f.Bool("echo") == true) throw ApiException.BadRequest("'echo' is not supported", "echo", "unsupported_parameter");
        if (f.Has("suffix")) throw ApiException.BadRequest("'suffix' is not supported", "suffix", "unsupported_parameter");
        if (f.Integer("best_of", 1, 1) is not null and not 1) throw ApiException.BadRequest("'best_of' is not supported", "best_of");
        // Legacy completions: logprobs is the number of alternatives (0..20), not a boolean.
        int? lp = f.Get("logprobs") is { ValueKind: JsonValueKind.True or JsonValueKind.False }
            ? throw ApiException.BadRequest("'logprobs' of /v1/completions is an integer (alternatives per token, 0..20)", "logprobs", "invalid_type")
            : (int?)f.Integer("logprobs", 0, SamplingParams.MaxTopLogprobs);
        return Build(f, model, prompt, f.Integer("max_tokens", 0, int.MaxValue) ?? null, lp != null, lp ?? 0);
    }

    static int[] PromptTokens(JsonElement p, PonderModel model)
    {
        switch (p.ValueKind)
        {
            case JsonValueKind.String:
                return model.Tokenizer.Encode(p.GetString()!, addSpecial: true, parseSpecial: true);
            case JsonValueKind.Array:
            {
                var items = p.EnumerateArray().ToList();
                if (items.Count == 0) throw ApiException.BadRequest("'prompt' must not be empty", "prompt", "invalid_value");
                if (items.Count == 1 && items[0].ValueKind is JsonValueKind.String or JsonValueKind.Array) return PromptTokens(items[0], model);
                if (items.All(x => x.ValueKind == JsonValueKind.String))
                    throw ApiException.BadRequest("several prompts in one request are not supported; send one request per prompt", "prompt", "unsupported_value");
                var ids = new int[items.Count];
                for (int i = 0; i < items.Count; i++)
                {
                    if (items[i].ValueKind != JsonValueKind.Number || !items[i].TryGetInt32(out ids[i]))
                        throw ApiException.BadRequest("'prompt' must be a string or an array of token ids (integers)", "prompt", "invalid_type");
                    if ((uint)ids[i] >= (uint)model.Transformer.Config.VocabSize)
                        throw ApiException.BadRequest($"token id {ids[i]} in 'prompt' is outside the vocabulary (0..{model.Transformer.Config.VocabSize - 1})", "prompt", "invalid_value");
                }
                return ids;
            }
            default:
                throw ApiException.BadRequest($"'prompt' must be a string or an array of token ids, not {JsonFields.Kind(p)}", "prompt", "invalid_type");
        }
    }

    static string? Content(JsonFields mf, string p, string role)
    {
        if (mf.Get("content") is not { } c)
        {
            if (role == "assistant") return null; // an assistant turn with only tool_calls
            throw ApiException.BadRequest($"'{p}.content' is required", p + ".content", "missing_required_parameter");
        }
        if (c.ValueKind == JsonValueKind.String) return c.GetString();
        if (c.ValueKind != JsonValueKind.Array)
            throw ApiException.BadRequest($"'{p}.content' must be a string or an array of content parts, not {JsonFields.Kind(c)}", p + ".content", "invalid_type");
        var sb = new System.Text.StringBuilder();
        foreach (var part in c.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
                throw ApiException.BadRequest($"'{p}.content' parts must be objects with a 'type'", p + ".content", "invalid_type");
            if (type.GetString() != "text")
                throw ApiException.BadRequest($"content parts of type '{type.GetString()}' are not supported (text only)", p + ".content", "unsupported_value");
            if (!part.TryGetProperty("text", out var text) || text.ValueKind != JsonValueKind.String)
                throw ApiException.BadRequest($"a text part of '{p}.content' needs a string 'text'", p + ".content", "invalid_type");
            sb.Append(text.GetString());
        }
        return sb.ToString();
    }

    /// <summary>Fields both endpoints share and the features not built yet.</summary>
    static void CheckCommon(JsonFields f, PonderModel model)
    {
        string name = f.RequiredString("model");
        if (name != model.Id && name != "default")
            throw new ApiException(404, $"the model '{name}' does not exist; this server serves '{model.Id}' (GET /v1/models)", "model", "model_not_found");
        if (f.Get("ponder") is { } ponder)
        {
            if (ponder.ValueKind != JsonValueKind.Object) throw ApiException.BadRequest("'ponder' must be an object", "ponder", "invalid_type");
            if (ponder.TryGetProperty("strategy", out var s))
                throw ApiException.BadRequest($"test-time strategies (\"ponder\": {{\"strategy\": {s.GetRawText()}}}) are not available yet in this server; send the request without 'ponder'", "ponder.strategy", "unsupported_feature");
        }
        if (f.Get("tool_choice") is { ValueKind: JsonValueKind.Object } || f.String("tool_choice") is "required")
            throw ApiException.BadRequest("forcing a tool call ('tool_choice') needs grammar-constrained decoding, which this server does not have yet", "tool_choice", "unsupported_feature");
        if (f.Has("logit_bias")) throw ApiException.BadRequest("'logit_bias' is not supported", "logit_bias", "unsupported_parameter");
        if (f.Stop("stop") is var _ && f.Object("stream_options") is { } so) so.Bool("include_usage");
        if (f.Has("user")) f.String("user");
    }

    static CompletionRequest Build(JsonFields f, PonderModel model, int[] prompt, long? maxTokens, bool logprobs, int top)
    {
        int ctx = model.ContextLength;
        if (prompt.Length == 0) throw ApiException.BadRequest("the prompt is empty", "prompt", "invalid_value");
        if (prompt.Length >= ctx)
            throw ApiException.BadRequest($"the prompt has {prompt.Length} tokens; the model's context holds {ctx}, leaving no room to generate. Shorten the prompt.", "messages", "context_length_exceeded");
        bool defaulted = maxTokens == null;
        int max = (int)(maxTokens ?? ctx - prompt.Length);
        if (prompt.Length + max > ctx)
            throw ApiException.BadRequest($"the prompt ({prompt.Length} tokens) plus max_tokens ({max}) exceeds the model's context of {ctx} tokens; lower max_tokens to at most {ctx - prompt.Length}", "max_tokens", "context_length_exceeded");
        int n = (int)(f.Integer("n", 1, long.MaxValue) ?? 1);
        if (n > model.MaxN) throw ApiException.BadRequest($"'n' is {n}; this server allows at most {model.MaxN}", "n", "invalid_value");
        var stop = f.Stop("stop");
        SamplingParams sampling;
        try
        {
            double temperature = f.Number("temperature", 0, 2) ?? 1.0;
            sampling = new SamplingParams
            {
                Temperature = (float)temperature,
                TopP = (float)(f.Number("top_p", double.Epsilon, 1) ?? 1.0),
                TopK = (int)(f.Integer("top_k", 0, int.MaxValue) ?? 0),
                MinP = (float)(f.Number("min_p", 0, 1) ?? 0),
                PresencePenalty = (float)(f.Number("presence_penalty", -2, 2) ?? 0),
                FrequencyPenalty = (float)(f.Number("frequency_penalty", -2, 2) ?? 0),
                RepetitionPenalty = (float)(f.Number("repetition_penalty", double.Epsilon, 10) ?? 1),
                Seed = f.Integer("seed") is { } seed ? unchecked((ulong)seed) : null,
                Logprobs = logprobs,
                TopLogprobs = top,
            };
            sampling.Validate();
        }
        catch (ArgumentException e) { throw ApiException.BadRequest(e.Message, e.ParamName, "invalid_value"); }
        var so = f.Object("stream_options");
        bool stream = f.Bool("stream") ?? false;
        if (so != null && !stream) throw ApiException.BadRequest("'stream_options' is only allowed with 'stream': true", "stream_options", "invalid_value");
        // Last, since compiling a new schema is the slowest check. The budget steers the output to a complete value
        // (valid JSON) before max_tokens or the context runs out.
        var grammar = OutputConstraint.Parse(f, model);
        var constraint = grammar is null ? null : new Ponder.Grammars.TokenBudgetMatcher(grammar.CreateMatcher(), max);
        return new CompletionRequest
        {
            Model = model.Id,
            Prompt = prompt,
            Generation = new GenerationRequest { Prompt = prompt, Sampling = sampling, MaxTokens = max, N = n, Stop = stop, Constraint = constraint },
            Stream = stream,
            IncludeUsage = so?.Bool("include_usage") ?? false,
            Logprobs = logprobs,
            TopLogprobs = top,
            MaxTokensDefaulted = defaulted,
        };
    }
}
