using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Ponder.Engine;
using Ponder.Sampling;
using Ponder.Server.Templates;

namespace Ponder.Server.AI;

/// <summary>
/// <see cref="IChatClient"/> over the engine in this process: no HTTP, no server. Messages go
/// through the model's chat template; <see cref="ChatOptions"/> map to sampling parameters
/// (Temperature, TopP, TopK, Seed, MaxOutputTokens, StopSequences, presence/frequency penalties).
/// Options this engine cannot honour yet (JSON response formats, tools that must be called) throw
/// <see cref="NotSupportedException"/> rather than being silently ignored.
/// </summary>
public sealed class PonderChatClient : IChatClient
{
    private readonly PonderModel _model;
    private readonly bool _ownsModel;
    private readonly ChatClientMetadata _metadata;

    public PonderChatClient(PonderModel model, bool ownsModel = false)
    {
        _model = model;
        _ownsModel = ownsModel;
        _metadata = new ChatClientMetadata("ponder", null, model.Id);
    }

    /// <summary>Loads a GGUF model and owns it.</summary>
    public static PonderChatClient Load(ModelOptions options) => new(PonderModel.Load(options), ownsModel: true);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = BuildRequest(messages, options);
        var handle = _model.Engine.Submit(request, cancellationToken);
        var result = await handle.CollectAsync(cancellationToken).ConfigureAwait(false);
        if (result.Error != null) throw new InvalidOperationException($"generation failed: {result.Error}");
        cancellationToken.ThrowIfCancellationRequested();
        var seq = result.Sequences[0];
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, seq.Text))
        {
            ResponseId = Guid.NewGuid().ToString("N"),
            ModelId = _model.Id,
            CreatedAt = DateTimeOffset.UtcNow,
            FinishReason = Finish(seq.Finish),
            Usage = Usage(result.Usage),
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = BuildRequest(messages, options);
        var handle = _model.Engine.Submit(request, cancellationToken);
        string id = Guid.NewGuid().ToString("N");
        await foreach (var e in handle.Events(cancellationToken).ConfigureAwait(false))
        {
            if (e.Finish is { } f)
            {
                if (f == FinishReason.Error) throw new InvalidOperationException($"generation failed: {e.Error}");
                cancellationToken.ThrowIfCancellationRequested();
                var usage = await handle.Usage.ConfigureAwait(false);
                yield return new ChatResponseUpdate(ChatRole.Assistant, [new TextContent(e.Text), new UsageContent(Usage(usage))])
                {
                    ResponseId = id, MessageId = id, ModelId = _model.Id, FinishReason = Finish(f),
                };
                continue;
            }
            if (e.Text.Length == 0) continue;
            yield return new ChatResponseUpdate(ChatRole.Assistant, e.Text) { ResponseId = id, MessageId = id, ModelId = _model.Id };
        }
    }

    GenerationRequest BuildRequest(IEnumerable<ChatMessage> messages, ChatOptions? o)
    {
        if (o?.ToolMode is RequiredChatToolMode)
            throw new NotSupportedException("a required tool call needs grammar-constrained decoding, which Ponder does not have yet");
        var list = new List<TemplateMessage>();
        foreach (var m in messages)
            list.Add(new TemplateMessage(m.Role == ChatRole.System ? "system" : m.Role.Value, m.Text));
        if (list.Count == 0) throw new ArgumentException("at least one message is needed", nameof(messages));
        int[] prompt = _model.EncodeChat(list);
        int room = _model.ContextLength - prompt.Length;
        if (room <= 0) throw new ContextOverflowException($"the conversation has {prompt.Length} tokens; the context holds {_model.ContextLength}");
        int max = o?.MaxOutputTokens is { } mo ? Math.Min(mo, room) : room;
        var sampling = new SamplingParams
        {
            Temperature = o?.Temperature ?? 1f,
            TopP = o?.TopP ?? 1f,
            TopK = o?.TopK ?? 0,
            PresencePenalty = o?.PresencePenalty ?? 0f,
            FrequencyPenalty = o?.FrequencyPenalty ?? 0f,
            Seed = o?.Seed is { } s ? unchecked((ulong)s) : null,
        };
        return new GenerationRequest
        {
            Prompt = prompt,
            Sampling = sampling,
            MaxTokens = max,
            Stop = o?.StopSequences?.ToArray() ?? [],
            Constraint = JsonConstraint(o?.ResponseFormat as ChatResponseFormatJson, max),
        };
    }

    /// <summary>A JSON response format as a grammar: the schema when one is given, else any JSON object. Bad schemas
    /// throw <see cref="Ponder.Grammars.Schema.JsonSchemaException"/> (keyword and JSON pointer).</summary>
    Ponder.Grammars.TokenBudgetMatcher? JsonConstraint(ChatResponseFormatJson? format, int max)
    {
        if (format is null) return null;
        var gbnf = format.Schema is { } schema
            ? Ponder.Grammars.Schema.JsonSchemaToGbnf.Convert(schema.GetRawText())
            : Ponder.Grammars.Schema.JsonSchemaToGbnf.AnyJsonObject();
        var compiled = Ponder.Grammars.GrammarCompiler.Shared.Compile(gbnf, _model.Tokenizer);
        return new Ponder.Grammars.TokenBudgetMatcher(compiled.CreateMatcher(), max);
    }

    static ChatFinishReason? Finish(FinishReason f) => f switch
    {
        FinishReason.Stop => ChatFinishReason.Stop,
        FinishReason.Length => ChatFinishReason.Length,
        _ => null,
    };

    static UsageDetails Usage(RequestUsage u) => new()
    {
        InputTokenCount = u.PromptTokens,
        OutputTokenCount = u.CompletionTokens,
        TotalTokenCount = u.PromptTokens + u.CompletionTokens,
        CachedInputTokenCount = u.CachedPromptTokens,
    };

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey != null ? null
        : serviceType == typeof(ChatClientMetadata) ? _metadata
        : serviceType.IsInstanceOfType(this) ? this
        : serviceType == typeof(PonderModel) ? _model
        : null;

    public void Dispose()
    {
        if (_ownsModel) _model.Dispose();
    }
}
