namespace Ponder.Models;

/// <summary>
/// One sequence evaluated against a model with its own KV cache: the simplest way to get logits
/// (the CLI's logits, generate and bench commands). The batched engine manages many sequences
/// over a shared block pool instead; both use the same <see cref="Transformer.Forward"/>.
/// </summary>
public sealed class InferenceSession : IDisposable
{
    public const int DefaultBlockTokens = 16;

    private readonly KvArena _kv;
    private readonly int[] _table;

    public Transformer Model { get; }
    public int ContextTokens { get; }
    /// <summary>Tokens already in the KV cache.</summary>
    public int Position { get; private set; }

    public InferenceSession(Transformer model, int contextTokens = 0, int blockTokens = DefaultBlockTokens)
    {
        Model = model;
        int max = model.Config.ContextLength;
        ContextTokens = contextTokens <= 0 ? max : Math.Min(contextTokens, max);
        int blocks = (ContextTokens + blockTokens - 1) / blockTokens;
        _kv = new KvArena(model.Config, blockTokens, blocks);
        _table = new int[blocks];
        for (int i = 0; i < blocks; i++) _table[i] = i;
    }

    /// <summary>Appends tokens in one forward pass. Writes logits for every token
    /// (<paramref name="allLogits"/>) or for the last one only.</summary>
    public void Evaluate(ReadOnlySpan<int> tokens, Span<float> logits, bool allLogits = false)
    {
        if (tokens.Length == 0) return;
        if (Position + tokens.Length > ContextTokens)
            throw new ContextOverflowException(
                $"{Position + tokens.Length} tokens do not fit the context of {ContextTokens} ({Position} already used, {tokens.Length} new)");
        Model.Forward(ForwardBatch.Single(tokens, Position, _table, allLogits), _kv, logits);
        Position += tokens.Length;
    }

    /// <summary>Forgets everything evaluated so far.</summary>
    public void Reset() => Position = 0;

    public void Dispose() => _kv.Dispose();
}
