using System.Threading.Channels;

namespace Ponder.Engine;

/// <summary>Engine-side state of a submitted request (shared by its N sequences).</summary>
internal sealed class RequestState
{
    public required GenerationRequest Request { get; init; }
    public Channel<TokenEvent> Events { get; } = Channel.CreateUnbounded<TokenEvent>(new() { SingleWriter = true });
    public TaskCompletionSource<RequestUsage> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public volatile bool Cancelled;
    public int Live;
    public int CachedPromptTokens;
    public int PromptTokensComputed;
    public int CompletionTokens;
    public CancellationTokenRegistration Registration;
}

/// <summary>
/// A submitted request: its token events as they are generated, its usage when it ends, and a way to
/// cancel it (its KV blocks are freed at the engine's next step).
/// </summary>
public sealed class RequestHandle
{
    private readonly RequestState _state;
    private readonly Action _wake;

    internal RequestHandle(RequestState state, Action wake)
    {
        _state = state;
        _wake = wake;
    }

    /// <summary>Every token of every sequence, in generation order; one final event per sequence.</summary>
    public IAsyncEnumerable<TokenEvent> Events(CancellationToken ct = default) => _state.Events.Reader.ReadAllAsync(ct);

    /// <summary>Completes when all sequences have finished.</summary>
    public Task<RequestUsage> Usage => _state.Done.Task;

    public void Cancel()
    {
        _state.Cancelled = true;
        _wake();
    }

    /// <summary>Waits for the end and collects each sequence's tokens, text and finish reason.</summary>
    public async Task<GenerationResult> CollectAsync(CancellationToken ct = default)
    {
        int n = _state.Request.N;
        var tokens = new List<int>[n];
        var texts = new System.Text.StringBuilder[n];
        var logprobs = new List<float>[n];
        var finish = new FinishReason[n];
        for (int i = 0; i < n; i++) { tokens[i] = new(); texts[i] = new(); logprobs[i] = new(); }
        string? error = null;
        await foreach (var e in Events(ct).ConfigureAwait(false))
        {
            texts[e.Index].Append(e.Text);
            if (e.Finish is { } f) { finish[e.Index] = f; error ??= e.Error; continue; }
            tokens[e.Index].Add(e.Token);
            logprobs[e.Index].Add(e.Logprob);
        }
        var usage = await Usage.ConfigureAwait(false);
        var seqs = new GeneratedSequence[n];
        for (int i = 0; i < n; i++) seqs[i] = new GeneratedSequence(tokens[i].ToArray(), texts[i].ToString(), logprobs[i].ToArray(), finish[i]);
        return new GenerationResult(seqs, usage, error);
    }
}

public sealed record GeneratedSequence(int[] Tokens, string Text, float[] Logprobs, FinishReason Finish)
{
    public double MeanLogprob => Logprobs.Length == 0 ? 0 : Logprobs.Average();
}

public sealed record GenerationResult(GeneratedSequence[] Sequences, RequestUsage Usage, string? Error);
