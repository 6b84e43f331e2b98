using System.Numerics.Tensors;
using Ponder.Compute;
using Ponder.Gguf;
using Ponder.Kernels;

namespace Ponder.Models;

/// <summary>
/// The llama-family decoder (llama; qwen2 = llama + Q/K/V biases + half-split rope + tied output).
/// One <see cref="Forward"/> runs a whole batch of tokens from any number of sequences: matrix
/// products over all tokens at once, attention per token over its own sequence's KV blocks.
/// Every per-token computation is independent of the rest of the batch (the matrix kernels
/// guarantee it per row; norms, rope and attention run per token in a fixed order), so a token's
/// logits are bit-identical whether it is computed alone, in a prompt batch, or beside other sequences.
/// </summary>
public sealed unsafe class Transformer : IDisposable
{
    private readonly GgufFile? _file;
    private readonly ComputePool _pool;
    private readonly MatMulWork _matmul = new();
    private readonly AttentionWork _attention;
    private readonly Scratch _s = new();

    public ModelConfig Config { get; }
    public ModelWeights Weights { get; }
    public GgufFile File => _file!;
    public int ThreadCount => _pool.ThreadCount;
    /// <summary>When set, every forward pass adds its per-phase times here.</summary>
    public ForwardProfile? Profile { get; set; }

    public Transformer(GgufFile file, int threads)
    {
        _file = file;
        Config = ModelConfig.FromGguf(file);
        Weights = ModelWeights.Load(file, Config);
        _pool = new ComputePool(Math.Max(1, threads));
        _attention = new AttentionWork(Config, _pool.ThreadCount);
    }

    /// <summary>Opens a GGUF model file; the model owns (and disposes) the mapping.</summary>
    public static Transformer Load(string path, int threads)
    {
        var f = GgufFile.Open(path);
        try { return new Transformer(f, threads); }
        catch { f.Dispose(); throw; }
    }

    /// <summary>Runs the batch; writes <c>b.LogitTokens.Length × VocabSize</c> logits.</summary>
    public void Forward(ForwardBatch b, KvArena kv, Span<float> logits)
    {
        var c = Config;
        int T = b.Count;
        if (T == 0) return;
        if (logits.Length < (long)b.LogitTokens.Length * c.VocabSize)
            throw new ArgumentException($"logits buffer holds {logits.Length} values, needs {b.LogitTokens.Length * c.VocabSize}");
        Validate(b, kv);
        _s.Ensure(c, T, Math.Max(c.EmbeddingSize, Math.Max(c.QDim, c.FeedForwardSize)));
        int E = c.EmbeddingSize;
        var prof = Profile;
        prof?.Start();

        for (int t = 0; t < T; t++)
        {
            var w = Weights.TokenEmbedding;
            Dequantize.Row(w.Type, new ReadOnlySpan<byte>(w.Row(b.Tokens[t]), (int)w.RowBytes), _s.X.AsSpan(t * E, E));
        }

        prof?.Mark(ForwardProfile.Phase.Embed);
        for (int l = 0; l < c.LayerCount; l++)
        {
            var L = Weights.Layers[l];
            NormRows(_s.X, _s.Xn, L.AttnNorm, T, E);
            prof?.Mark(ForwardProfile.Phase.Norm);
            Project(_s.Xn, T, E, (L.Q, _s.Q, c.QDim), (L.K, _s.K, c.KvDim), (L.V, _s.V, c.KvDim));
            prof?.Mark(ForwardProfile.Phase.Qkv);
            for (int t = 0; t < T; t++)
            {
                var q = _s.Q.AsSpan(t * c.QDim, c.QDim);
                var k = _s.K.AsSpan(t * c.KvDim, c.KvDim);
                var v = _s.V.AsSpan(t * c.KvDim, c.KvDim);
                if (L.QBias != null) TensorPrimitives.Add(q, L.QBias, q);
                if (L.KBias != null) TensorPrimitives.Add(k, L.KBias, k);
                if (L.VBias != null) TensorPrimitives.Add(v, L.VBias, v);
                Rope.Apply(q, c.HeadCount, c.HeadDim, c.RopeDims, b.Positions[t], c.RopeFreqBase, c.Rope);
                Rope.Apply(k, c.KvHeadCount, c.HeadDim, c.RopeDims, b.Positions[t], c.RopeFreqBase, c.Rope);
                var (block, slot) = Slot(b, kv, t);
                TensorPrimitives.ConvertToHalf(k, new Span<Half>(kv.K(block, l, slot), c.KvDim));
                TensorPrimitives.ConvertToHalf(v, new Span<Half>(kv.V(block, l, slot), c.KvDim));
            }
            prof?.Mark(ForwardProfile.Phase.RopeKv);
            _attention.Set(b, kv, l, _s.Q, _s.Attn);
            _pool.Run(_attention);
            prof?.Mark(ForwardProfile.Phase.Attention);
            Project(_s.Attn, T, c.QDim, (L.O, _s.Proj, E));
            prof?.Mark(ForwardProfile.Phase.OutProj);
            TensorPrimitives.Add(_s.X.AsSpan(0, T * E), _s.Proj.AsSpan(0, T * E), _s.X.AsSpan(0, T * E));

            NormRows(_s.X, _s.Xn, L.FfnNorm, T, E);
            prof?.Mark(ForwardProfile.Phase.Norm);
            int F = c.FeedForwardSize;
            Project(_s.Xn, T, E, (L.Gate, _s.Gate, F), (L.Up, _s.Up, F));
            prof?.Mark(ForwardProfile.Phase.GateUp);
            var g = _s.Gate.AsSpan(0, T * F);
            TensorPrimitives.Multiply(Silu(g), _s.Up.AsSpan(0, T * F), g);
            prof?.Mark(ForwardProfile.Phase.Silu);
            Project(_s.Gate, T, F, (L.Down, _s.Proj, E));
            prof?.Mark(ForwardProfile.Phase.Down);
            TensorPrimitives.Add(_s.X.AsSpan(0, T * E), _s.Proj.AsSpan(0, T * E), _s.X.AsSpan(0, T * E));
        }

        int R = b.LogitTokens.Length;
        for (int i = 0; i < R; i++)
            RmsNorm.Apply(_s.X.AsSpan(b.LogitTokens[i] * E, E), Weights.OutputNorm, _s.Xn.AsSpan(i * E, E), c.RmsEps);
        _s.EnsureLogits(R * c.VocabSize);
        Project(_s.Xn, R, E, (Weights.Output, _s.Logits, c.VocabSize));
        _s.Logits.AsSpan(0, R * c.VocabSize).CopyTo(logits);
        prof?.Mark(ForwardProfile.Phase.Head);
    }

    // silu(x) = x·σ(x) in place with ggml's exp; returns the span for chaining.
    static Span<float> Silu(Span<float> x)
    {
        GgmlMath.Silu(x);
        return x;
    }

    void NormRows(float[] x, float[] y, float[] w, int T, int E)
    {
        for (int t = 0; t < T; t++) RmsNorm.Apply(x.AsSpan(t * E, E), w, y.AsSpan(t * E, E), Config.RmsEps);
    }

    /// <summary>Runs up to three matrices over the same input rows in one parallel region.</summary>
    void Project(float[] x, int m, int k, params ReadOnlySpan<(WeightMatrix w, float[] y, int ldy)> outs)
    {
        var type = outs[0].w.Type;
        for (int i = 1; i < outs.Length; i++)
            if (outs[i].w.Type != type) { foreach (var o in outs) Project(x, m, k, o); return; }
        long bytes = MatMul.ActivationBytes(type, k, m);
        _s.EnsureActivations(bytes);
        MatMul.QuantizeActivations(type, x.AsSpan(0, m * k), k, m, _s.Act.AsSpan(0, (int)bytes));
        _matmul.Set(_s.Act, (int)bytes, m, outs);
        _pool.Run(_matmul);
    }

    static (int block, int slot) Slot(ForwardBatch b, KvArena kv, int t)
    {
        int p = b.Positions[t];
        return (b.BlockTables[b.Seq[t]][p / kv.BlockTokens], p % kv.BlockTokens);
    }

    void Validate(ForwardBatch b, KvArena kv)
    {
        if (kv.Layers != Config.LayerCount || kv.KvDim != Config.KvDim)
            throw new ArgumentException("KV arena was made for another model shape");
        for (int t = 0; t < b.Count; t++)
        {
            int tok = b.Tokens[t];
            if ((uint)tok >= (uint)Config.VocabSize)
                throw new ArgumentException($"token id {tok} at batch index {t} is outside the vocabulary (0..{Config.VocabSize - 1})");
            int p = b.Positions[t];
            if (p < 0 || p >= Config.ContextLength)
                throw new ContextOverflowException($"position {p} is outside the model's context of {Config.ContextLength} tokens");
            var table = b.BlockTables[b.Seq[t]];
            if (p / kv.BlockTokens >= table.Length)
                throw new ArgumentException($"sequence {b.Seq[t]} has {table.Length} KV blocks, too few for position {p}");
        }
        foreach (int r in b.LogitTokens)
            if ((uint)r >= (uint)b.Count) throw new ArgumentException($"logit row {r} is outside the batch of {b.Count}");
    }

    public void Dispose()
    {
        _pool.Dispose();
        _file?.Dispose();
    }

    /// <summary>Activation buffers, grown to the largest batch seen and reused (no allocation per token).</summary>
    sealed class Scratch
    {
        public float[] X = [], Xn = [], Q = [], K = [], V = [], Attn = [], Proj = [], Gate = [], Up = [], Logits = [];
        public byte[] Act = [];
        int _tokens;

        public void Ensure(ModelConfig c, int T, int maxK)
        {
            if (T <= _tokens) return;
            _tokens = T;
            X = new float[T * c.EmbeddingSize];
            Xn = new float[T * c.EmbeddingSize];
            Q = new float[T * c.QDim];
            K = new float[T * c.KvDim];
            V = new float[T * c.KvDim];
            Attn = new float[T * c.QDim];
            Proj = new float[T * c.EmbeddingSize];
            Gate = new float[T * c.FeedForwardSize];
            Up = new float[T * c.FeedForwardSize];
        }

        public void EnsureActivations(long bytes)
        {
            if (Act.Length < bytes) Act = new byte[bytes];
        }

        public void EnsureLogits(int n)
        {
            if (Logits.Length < n) Logits = new float[n];
        }
    }
}
