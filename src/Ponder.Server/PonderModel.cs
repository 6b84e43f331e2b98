using Ponder.Engine;
using Ponder.Models;
using Ponder.Server.Templates;
using Ponder.Tokenizers;

namespace Ponder.Server;

/// <summary>Options of a served model: which file, how much KV memory, how many sequences at once.</summary>
public sealed record ModelOptions
{
    public required string Path { get; init; }
    /// <summary>The id clients send as <c>model</c>; default: the file name without extension.</summary>
    public string? Id { get; init; }
    public int Threads { get; init; } = Environment.ProcessorCount;
    public long KvMemoryBytes { get; init; } = 256L << 20;
    /// <summary>Sequences decoded together (<see cref="EngineOptions.MaxRunningSequences"/>).</summary>
    public int Parallel { get; init; } = 64;
    /// <summary>Largest <c>n</c> a request may ask for.</summary>
    public int MaxN { get; init; } = 16;
    /// <summary>A chat template that replaces the model's own (Jinja source).</summary>
    public string? ChatTemplate { get; init; }
}

/// <summary>
/// One loaded model with everything a request needs: weights, tokenizer, the batched engine and the
/// chat template. Shared by the HTTP server and <see cref="AI.PonderChatClient"/>.
/// </summary>
public sealed class PonderModel : IDisposable
{
    public string Id { get; }
    public Transformer Transformer { get; }
    public Tokenizer Tokenizer { get; }
    public InferenceEngine Engine { get; }
    public ChatTemplate Template { get; }
    /// <summary>Why the model's own template is not used (null when it is).</summary>
    public string? TemplateWarning { get; }
    public int ContextLength => Transformer.Config.ContextLength;
    public int MaxN { get; }
    public long Created { get; } = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    PonderModel(string id, Transformer transformer, Tokenizer tokenizer, InferenceEngine engine, ChatTemplate template, string? warning, int maxN)
    {
        Id = id;
        Transformer = transformer;
        Tokenizer = tokenizer;
        Engine = engine;
        Template = template;
        TemplateWarning = warning;
        MaxN = maxN;
    }

    public static PonderModel Load(ModelOptions o)
    {
        if (o.MaxN < 1) throw new ArgumentException($"max n {o.MaxN} must be at least 1");
        var transformer = Transformer.Load(o.Path, o.Threads);
        try
        {
            var tokenizer = Tokenizer.FromGguf(transformer.File.Metadata);
            var (template, warning) = ResolveTemplate(o.ChatTemplate, transformer.File.Metadata.GetStringOrNull("tokenizer.chat_template"));
            var engine = new InferenceEngine(transformer, new TokenizerText(tokenizer), new EngineOptions
            {
                KvMemoryBytes = o.KvMemoryBytes,
                MaxRunningSequences = o.Parallel,
                MaxN = o.MaxN,
            });
            string id = o.Id ?? System.IO.Path.GetFileNameWithoutExtension(o.Path);
            return new PonderModel(id, transformer, tokenizer, engine, template, warning, o.MaxN);
        }
        catch
        {
            transformer.Dispose();
            throw;
        }
    }

    /// <summary>An explicit template must compile (start-up error otherwise); the model's own falls
    /// back to ChatML with a warning, so a model with an exotic template still serves.</summary>
    static (ChatTemplate, string?) ResolveTemplate(string? explicitSource, string? modelSource)
    {
        if (explicitSource != null)
        {
            try { return (ChatTemplate.Parse(explicitSource), null); }
            catch (TemplateException e) { throw new ArgumentException($"the chat template given cannot be used: {e.Message}"); }
        }
        if (string.IsNullOrEmpty(modelSource))
            return (ChatTemplate.ChatML, "the model has no tokenizer.chat_template; using ChatML");
        try { return (ChatTemplate.Parse(modelSource), null); }
        catch (TemplateException e)
        {
            return (ChatTemplate.ChatML, $"the model's chat template cannot be interpreted ({e.Message}); using ChatML");
        }
    }

    string? TokenString(int? id) => id is { } i ? Tokenizer.TokenText(i) : null;

    /// <summary>Renders a conversation with the chat template and tokenizes it. A BOS the template wrote
    /// itself is not added a second time.</summary>
    public int[] EncodeChat(IReadOnlyList<TemplateMessage> messages, bool addGenerationPrompt = true, IReadOnlyList<object?>? tools = null)
    {
        string bos = TokenString(Tokenizer.BosId) ?? "";
        string text = Template.Render(messages, addGenerationPrompt, bos, TokenString(Tokenizer.EosId), tools);
        bool templateHasBos = bos.Length > 0 && text.StartsWith(bos, StringComparison.Ordinal);
        return Tokenizer.Encode(text, addSpecial: !templateHasBos, parseSpecial: true);
    }

    public void Dispose()
    {
        Engine.Dispose();
        Transformer.Dispose();
    }
}
