using Ponder.Gguf;

namespace Ponder.Models;

/// <summary>How rotary embeddings pair dimensions: adjacent pairs (llama.cpp "NORM", used for
/// llama GGUFs whose Q/K rows were permuted at conversion) or the two halves ("NEOX", qwen2).</summary>
public enum RopeStyle { Adjacent, Halves }

/// <summary>Hyper-parameters of a llama-family decoder, read from <c>&lt;arch&gt;.*</c> metadata.</summary>
public sealed record ModelConfig
{
    public static readonly string[] SupportedArchitectures = ["llama", "qwen2"];

    public required string Architecture { get; init; }
    public required int VocabSize { get; init; }
    public required int EmbeddingSize { get; init; }
    public required int LayerCount { get; init; }
    public required int HeadCount { get; init; }
    public required int KvHeadCount { get; init; }
    public required int HeadDim { get; init; }
    public required int FeedForwardSize { get; init; }
    public required int ContextLength { get; init; }
    public required float RopeFreqBase { get; init; }
    public required int RopeDims { get; init; }
    public required float RmsEps { get; init; }
    public required RopeStyle Rope { get; init; }

    public int QDim => HeadCount * HeadDim;
    public int KvDim => KvHeadCount * HeadDim;

    public static ModelConfig FromGguf(GgufFile f)
    {
        var m = f.Metadata;
        string arch = m.GetStringOrNull("general.architecture")
            ?? throw new ModelLoadException("general.architecture is missing; is this a model file?");
        if (Array.IndexOf(SupportedArchitectures, arch) < 0)
            throw new ModelLoadException($"unsupported architecture '{arch}'; supported: {string.Join(", ", SupportedArchitectures)}");

        int Get(string key) => Positive(m, $"{arch}.{key}");
        int embd = Get("embedding_length");
        int heads = Get("attention.head_count");
        int kvHeads = m.Contains($"{arch}.attention.head_count_kv") ? Get("attention.head_count_kv") : heads;
        if (embd % heads != 0) throw new ModelLoadException($"embedding_length {embd} is not divisible by head_count {heads}");
        if (heads % kvHeads != 0) throw new ModelLoadException($"head_count {heads} is not divisible by head_count_kv {kvHeads}");
        int headDim = m.Contains($"{arch}.attention.key_length") ? Get("attention.key_length") : embd / heads;
        int vocab = m.Contains($"{arch}.vocab_size") ? Get("vocab_size")
            : m.GetArrayOrNull<string>("tokenizer.ggml.tokens")?.Length
              ?? checked((int)f.GetTensor("token_embd.weight").Dims[1]);
        int ropeDims = m.Contains($"{arch}.rope.dimension_count") ? Get("rope.dimension_count") : headDim;
        if (ropeDims > headDim || ropeDims % 2 != 0)
            throw new ModelLoadException($"rope.dimension_count {ropeDims} must be even and at most the head dimension {headDim}");
        return new ModelConfig
        {
            Architecture = arch,
            VocabSize = vocab,
            EmbeddingSize = embd,
            LayerCount = Get("block_count"),
            HeadCount = heads,
            KvHeadCount = kvHeads,
            HeadDim = headDim,
            FeedForwardSize = Get("feed_forward_length"),
            ContextLength = m.Contains($"{arch}.context_length") ? Get("context_length") : 2048,
            RopeFreqBase = (float)m.GetFloat($"{arch}.rope.freq_base", 10000.0),
            RopeDims = ropeDims,
            RmsEps = (float)m.GetFloat($"{arch}.attention.layer_norm_rms_epsilon", 1e-5),
            Rope = arch == "qwen2" ? RopeStyle.Halves : RopeStyle.Adjacent,
        };
    }

    static int Positive(GgufMetadata m, string key)
    {
        if (!m.Contains(key)) throw new ModelLoadException($"hyper-parameter {key} is missing");
        long v = m.GetInteger(key);
        if (v <= 0 || v > 1 << 24) throw new ModelLoadException($"hyper-parameter {key} = {v} is out of range");
        return (int)v;
    }

    /// <summary>Parameters in the weight matrices (for FLOP estimates): 2 × this per token.</summary>
    public long MatrixParameters =>
        (long)LayerCount * ((long)EmbeddingSize * (QDim + 2 * KvDim) + (long)QDim * EmbeddingSize
                            + 3L * EmbeddingSize * FeedForwardSize)
        + (long)VocabSize * EmbeddingSize;
}
