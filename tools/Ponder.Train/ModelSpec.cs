using Ponder.Tensors;

namespace Ponder.Train;

/// <summary>Shape and training settings of one model (policy or verifier).</summary>
public sealed record ModelSpec
{
    public int Embd { get; init; } = 128;
    public int Layers { get; init; } = 4;
    public int Heads { get; init; } = 4;
    public int KvHeads { get; init; } = 4;
    public int FeedForward { get; init; } = 384;
    public int Context { get; init; } = 256;
    public float RopeBase { get; init; } = 10000f;
    public float RmsEps { get; init; } = 1e-5f;
    public bool Tied { get; init; }
    public GgmlType WeightType { get; init; } = GgmlType.F16;

    public int HeadDim => Embd / Heads;
    public int KvDim => KvHeads * HeadDim;

    /// <summary>Refuses, before any training, a shape that the GGUF exporter or llama.cpp cannot take.</summary>
    public void Validate()
    {
        var errs = new List<string>();
        if (Embd <= 0 || Layers <= 0 || Heads <= 0 || KvHeads <= 0 || FeedForward <= 0 || Context <= 0)
            errs.Add("embd, layers, heads, kv-heads, ff and ctx must all be positive");
        else
        {
            if (Embd % Heads != 0) errs.Add($"embd {Embd} is not a multiple of heads {Heads}");
            else if (HeadDim % 2 != 0) errs.Add($"head dimension {HeadDim} (embd / heads) must be even for rotary embeddings");
            if (Heads % KvHeads != 0) errs.Add($"heads {Heads} is not a multiple of kv-heads {KvHeads}");
        }
        if (WeightType is not (GgmlType.F16 or GgmlType.Q8_0 or GgmlType.F32))
            errs.Add($"weight type {WeightType} cannot be exported; use F16 or Q8_0 (F32 for tests)");
        if (WeightType == GgmlType.Q8_0)
        {
            // Q8_0 packs rows in blocks of 32 values along the input dimension.
            if (Embd % 32 != 0) errs.Add($"Q8_0 needs embd to be a multiple of 32, got {Embd}");
            if (FeedForward % 32 != 0) errs.Add($"Q8_0 needs ff to be a multiple of 32, got {FeedForward}");
        }
        if (errs.Count > 0) throw new ArgumentException("this model cannot be exported to GGUF: " + string.Join("; ", errs));
    }

    public long ParameterCount(int vocab) =>
        (long)vocab * Embd * (Tied ? 1 : 2) + Embd
        + Layers * (2L * Embd + (long)Embd * Embd * 2 + 2L * Embd * KvDim + 3L * Embd * FeedForward);
}
