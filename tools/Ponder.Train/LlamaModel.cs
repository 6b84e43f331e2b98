using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Ponder.Train;

/// <summary>
/// The llama decoder in TorchSharp, written to match Ponder's and llama.cpp's forward pass
/// exactly in structure: RMSNorm (no mean), rotary embeddings on adjacent pairs (ggml's "NORM"
/// mode, so Q/K rows need no permutation at export), grouped-query attention with head h reading
/// KV head h / (heads / kv-heads), SwiGLU feed-forward, no biases, tied or untied output.
/// Parameters are kept with their GGUF names so export is a loop.
/// </summary>
public sealed class LlamaModel : nn.Module<Tensor, Tensor>
{
    public ModelSpec Spec { get; }
    public int Vocab { get; }
    /// <summary>(GGUF tensor name, parameter, is a 2-D weight) in GGUF order.</summary>
    public List<(string Name, Parameter P, bool Matrix)> Named { get; } = [];
    readonly Tensor _cos, _sin; // [ctx, headDim/2]

    public LlamaModel(ModelSpec spec, int vocab, long seed) : base("llama")
    {
        spec.Validate();
        Spec = spec;
        Vocab = vocab;
        torch.manual_seed(seed);
        int E = spec.Embd, F = spec.FeedForward, KV = spec.KvDim;
        double std = 0.02, resStd = 0.02 / Math.Sqrt(2.0 * spec.Layers);
        Add("token_embd.weight", Normal([vocab, E], std), true);
        for (int l = 0; l < spec.Layers; l++)
        {
            string p = $"blk.{l}.";
            Add(p + "attn_norm.weight", torch.ones(E), false);
            Add(p + "attn_q.weight", Normal([E, E], std), true);
            Add(p + "attn_k.weight", Normal([KV, E], std), true);
            Add(p + "attn_v.weight", Normal([KV, E], std), true);
            Add(p + "attn_output.weight", Normal([E, E], resStd), true);
            Add(p + "ffn_norm.weight", torch.ones(E), false);
            Add(p + "ffn_gate.weight", Normal([F, E], std), true);
            Add(p + "ffn_up.weight", Normal([F, E], std), true);
            Add(p + "ffn_down.weight", Normal([E, F], resStd), true);
        }
        Add("output_norm.weight", torch.ones(E), false);
        if (!spec.Tied) Add("output.weight", Normal([vocab, E], std), true);

        // ggml's angle recurrence in float: theta_i = pos * base^(-2/d)^i.
        int half = spec.HeadDim / 2;
        var cos = new float[spec.Context * half];
        var sin = new float[spec.Context * half];
        float scale = MathF.Pow(spec.RopeBase, -2.0f / spec.HeadDim);
        for (int pos = 0; pos < spec.Context; pos++)
        {
            float theta = pos;
            for (int i = 0; i < half; i++)
            {
                cos[pos * half + i] = MathF.Cos(theta);
                sin[pos * half + i] = MathF.Sin(theta);
                theta *= scale;
            }
        }
        _cos = torch.tensor(cos, [spec.Context, half]);
        _sin = torch.tensor(sin, [spec.Context, half]);
    }

    static Tensor Normal(long[] shape, double std) => torch.randn(shape) * std;

    void Add(string name, Tensor init, bool matrix)
    {
        var p = new Parameter(init);
        register_parameter(name.Replace('.', '_'), p);
        Named.Add((name, p, matrix));
    }

    Parameter P(string name)
    {
        foreach (var (n, p, _) in Named) if (n == name) return p;
        throw new KeyNotFoundException(name);
    }

    Tensor RmsNorm(Tensor x, Tensor w) =>
        x * torch.rsqrt(x.pow(2).mean([-1], keepdim: true) + Spec.RmsEps) * w;

    /// <summary>x: [B, T, heads, headDim]; rotates adjacent pairs (2i, 2i+1).</summary>
    Tensor Rope(Tensor x, long T)
    {
        var shape = x.shape;
        var xp = x.reshape(shape[0], shape[1], shape[2], shape[3] / 2, 2);
        var x0 = xp.select(-1, 0);
        var x1 = xp.select(-1, 1);
        var c = _cos.narrow(0, 0, T).unsqueeze(0).unsqueeze(2);
        var s = _sin.narrow(0, 0, T).unsqueeze(0).unsqueeze(2);
        var r0 = x0 * c - x1 * s;
        var r1 = x0 * s + x1 * c;
        return torch.stack([r0, r1], -1).reshape(shape);
    }

    /// <summary>tokens [B, T] (int64) → logits [B, T, vocab]. Causal; right padding never affects real positions.</summary>
    public override Tensor forward(Tensor tokens)
    {
        using var scope = torch.NewDisposeScope();
        long B = tokens.shape[0], T = tokens.shape[1];
        if (T > Spec.Context) throw new ArgumentException($"sequence of {T} tokens is longer than the context {Spec.Context}");
        int H = Spec.Heads, KvH = Spec.KvHeads, D = Spec.HeadDim;
        var x = P("token_embd.weight").index_select(0, tokens.reshape(-1)).view(B, T, Spec.Embd);
        for (int l = 0; l < Spec.Layers; l++)
        {
            string p = $"blk.{l}.";
            var h = RmsNorm(x, P(p + "attn_norm.weight"));
            var q = Rope(nn.functional.linear(h, P(p + "attn_q.weight")).view(B, T, H, D), T).transpose(1, 2);
            var k = Rope(nn.functional.linear(h, P(p + "attn_k.weight")).view(B, T, KvH, D), T).transpose(1, 2);
            var v = nn.functional.linear(h, P(p + "attn_v.weight")).view(B, T, KvH, D).transpose(1, 2);
            if (KvH != H)
            {
                k = k.repeat_interleave(H / KvH, 1);
                v = v.repeat_interleave(H / KvH, 1);
            }
            var a = nn.functional.scaled_dot_product_attention(q, k, v, is_casual: true);
            a = a.transpose(1, 2).reshape(B, T, H * D);
            x = x + nn.functional.linear(a, P(p + "attn_output.weight"));
            h = RmsNorm(x, P(p + "ffn_norm.weight"));
            var g = nn.functional.silu(nn.functional.linear(h, P(p + "ffn_gate.weight")));
            var u = nn.functional.linear(h, P(p + "ffn_up.weight"));
            x = x + nn.functional.linear(g * u, P(p + "ffn_down.weight"));
        }
        x = RmsNorm(x, P("output_norm.weight"));
        var logits = nn.functional.linear(x, Spec.Tied ? P("token_embd.weight") : P("output.weight"));
        return logits.MoveToOuterDisposeScope();
    }
}
