using Ponder.Gguf;
using Ponder.Kernels;
using Ponder.Tensors;

namespace Ponder.Models;

/// <summary>The weights of one decoder layer. Matrices stay in the mapped file; the small 1-D
/// tensors (norms, biases) are decoded to float once.</summary>
public sealed class LayerWeights
{
    public required float[] AttnNorm { get; init; }
    public required WeightMatrix Q { get; init; }
    public required WeightMatrix K { get; init; }
    public required WeightMatrix V { get; init; }
    public float[]? QBias { get; init; }
    public float[]? KBias { get; init; }
    public float[]? VBias { get; init; }
    public required WeightMatrix O { get; init; }
    public required float[] FfnNorm { get; init; }
    public required WeightMatrix Gate { get; init; }
    public required WeightMatrix Up { get; init; }
    public required WeightMatrix Down { get; init; }
}

/// <summary>All weights of a llama/qwen2 model, validated against the config: every tensor present,
/// of a supported type and of the expected shape, or a <see cref="ModelLoadException"/> naming it.</summary>
public sealed unsafe class ModelWeights
{
    public required WeightMatrix TokenEmbedding { get; init; }
    public required LayerWeights[] Layers { get; init; }
    public required float[] OutputNorm { get; init; }
    /// <summary>The output projection; the token embedding when the model ties them.</summary>
    public required WeightMatrix Output { get; init; }

    public static ModelWeights Load(GgufFile f, ModelConfig c)
    {
        var layers = new LayerWeights[c.LayerCount];
        for (int i = 0; i < layers.Length; i++)
        {
            string p = $"blk.{i}.";
            layers[i] = new LayerWeights
            {
                AttnNorm = Vector(f, p + "attn_norm.weight", c.EmbeddingSize)!,
                Q = Matrix(f, p + "attn_q.weight", c.QDim, c.EmbeddingSize),
                K = Matrix(f, p + "attn_k.weight", c.KvDim, c.EmbeddingSize),
                V = Matrix(f, p + "attn_v.weight", c.KvDim, c.EmbeddingSize),
                QBias = Vector(f, p + "attn_q.bias", c.QDim, optional: true),
                KBias = Vector(f, p + "attn_k.bias", c.KvDim, optional: true),
                VBias = Vector(f, p + "attn_v.bias", c.KvDim, optional: true),
                O = Matrix(f, p + "attn_output.weight", c.EmbeddingSize, c.QDim),
                FfnNorm = Vector(f, p + "ffn_norm.weight", c.EmbeddingSize)!,
                Gate = Matrix(f, p + "ffn_gate.weight", c.FeedForwardSize, c.EmbeddingSize),
                Up = Matrix(f, p + "ffn_up.weight", c.FeedForwardSize, c.EmbeddingSize),
                Down = Matrix(f, p + "ffn_down.weight", c.EmbeddingSize, c.FeedForwardSize),
            };
        }
        var embd = Matrix(f, "token_embd.weight", c.VocabSize, c.EmbeddingSize);
        return new ModelWeights
        {
            TokenEmbedding = embd,
            Layers = layers,
            OutputNorm = Vector(f, "output_norm.weight", c.EmbeddingSize)!,
            Output = f.TryGetTensor("output.weight", out _) ? Matrix(f, "output.weight", c.VocabSize, c.EmbeddingSize) : embd,
        };
    }

    static WeightMatrix Matrix(GgufFile f, string name, int rows, int cols)
    {
        if (!f.TryGetTensor(name, out var t)) throw new ModelLoadException($"tensor '{name}' is missing");
        CheckType(t);
        if (t.Dims.Length != 2 || t.Dims[0] != cols || t.Dims[1] != rows)
            throw new ModelLoadException($"tensor '{name}' has shape [{string.Join(", ", t.Dims)}], expected [{cols}, {rows}]");
        return new WeightMatrix(t.Type, f.DataPointer(t), rows, cols);
    }

    static float[]? Vector(GgufFile f, string name, int n, bool optional = false)
    {
        if (!f.TryGetTensor(name, out var t))
            return optional ? null : throw new ModelLoadException($"tensor '{name}' is missing");
        CheckType(t);
        if (t.ElementCount != n)
            throw new ModelLoadException($"tensor '{name}' has {t.ElementCount} values, expected {n}");
        var v = new float[n];
        Dequantize.Row(t.Type, f.DataSpan(t), v);
        return v;
    }

    static void CheckType(GgufTensorInfo t)
    {
        if (!GgmlTypeInfo.IsSupported(t.Type))
            throw new ModelLoadException($"tensor '{t.Name}' has type {t.Type}, which Ponder does not compute with; supported: {GgmlTypeInfo.SupportedList}");
    }
}
