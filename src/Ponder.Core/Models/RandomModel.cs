using Ponder.Gguf;
using Ponder.Tensors;

namespace Ponder.Models;

/// <summary>Shape and settings of a random-weight model (see <see cref="RandomModel"/>).</summary>
public sealed record RandomModelSpec
{
    public required string Arch { get; init; }            // "llama" | "qwen2"
    public required string Preset { get; init; }          // "llama-tiny" | "qwen2.5-0.5b"
    public GgmlType Type { get; init; } = GgmlType.F32;
    public int Vocab { get; init; }
    public int Embd { get; init; }
    public int Layers { get; init; }
    public int Heads { get; init; }
    public int KvHeads { get; init; }
    public int FeedForward { get; init; }
    public int Context { get; init; }
    public float RopeBase { get; init; }
    public float RmsEps { get; init; }
    public ulong Seed { get; init; }
    /// <summary>Std of token_embd values; std of output.weight (untied); scale of the residual-branch outputs.</summary>
    public double EmbStd { get; init; }
    public double OutStd { get; init; }
    public double ResScale { get; init; }

    public bool Tied => Arch == "qwen2";
    public bool QkvBias => Arch == "qwen2";
    public int HeadDim => Embd / Heads;
    public int KvDim => KvHeads * HeadDim;
}

/// <summary>
/// Random-weight llama / qwen2 models in GGUF, shaped and scaled like testdata/tools/make_tiny_models.py
/// so logits are not degenerate: projections N(0, 1/fan-in), residual-branch outputs (attn_output,
/// ffn_down) scaled, norm weights 1 + N(0, 0.1), Q/K/V biases N(0, 0.1); keys and tensor names as
/// llama.cpp expects. Deterministic from the seed, whatever the thread count.
/// </summary>
public static class RandomModel
{
    public static readonly string[] Archs = ["llama", "qwen2"];
    public static readonly string[] Presets = ["llama-tiny", "qwen2.5-0.5b"];
    public const string QwenVocabRelative = "testdata/vocab/ggml-vocab-qwen2.gguf.gz";

    /// <summary>The preset's shape with the arch's conventions (tying, biases, scaling); overrides come after.</summary>
    public static RandomModelSpec Preset(string arch, string preset, ulong seed = 42)
    {
        if (Array.IndexOf(Archs, arch) < 0) throw new ArgumentException($"unknown arch '{arch}'; use one of {string.Join(", ", Archs)}");
        bool qwen = arch == "qwen2";
        return preset switch
        {
            // tiny-llama / tiny-qwen2 of the reference data.
            "llama-tiny" => new RandomModelSpec
            {
                Arch = arch, Preset = preset, Seed = seed,
                Vocab = 512, Embd = 256, Layers = 2, Heads = 4, KvHeads = 2, FeedForward = 256, Context = 512,
                RopeBase = qwen ? 1e6f : 10000f, RmsEps = qwen ? 1e-6f : 1e-5f,
                EmbStd = qwen ? double.NaN : 1.0, ResScale = qwen ? 2.0 : 0.5,
            },
            // make_qwen05b of the reference tools (emb std 0.02, residual 0.5).
            "qwen2.5-0.5b" => new RandomModelSpec
            {
                Arch = arch, Preset = preset, Seed = seed,
                Vocab = 151936, Embd = 896, Layers = 24, Heads = 14, KvHeads = 2, FeedForward = 4864, Context = 32768,
                RopeBase = 1e6f, RmsEps = 1e-6f, EmbStd = qwen ? 0.02 : 1.0, ResScale = 0.5,
            },
            _ => throw new ArgumentException($"unknown preset '{preset}'; use one of {string.Join(", ", Presets)}"),
        };
    }

    /// <summary>Fills the scale fields left unset (NaN or 0) from the shape, and checks the shape.</summary>
    public static RandomModelSpec Resolve(RandomModelSpec s)
    {
        void Need(bool ok, string msg) { if (!ok) throw new ArgumentException(msg); }
        Need(s.Embd > 0 && s.Layers > 0 && s.Heads > 0 && s.KvHeads > 0 && s.FeedForward > 0 && s.Context > 0 && s.Vocab > 0,
            "embd, layers, heads, kv-heads, ff, ctx and vocab must all be positive");
        Need(s.Embd % s.Heads == 0, $"--embd {s.Embd} is not a multiple of --heads {s.Heads}");
        Need(s.Heads % s.KvHeads == 0, $"--heads {s.Heads} is not a multiple of --kv-heads {s.KvHeads}");
        Need(s.HeadDim % 2 == 0, $"head dimension {s.HeadDim} (embd / heads) must be even for RoPE");
        Need(GgufRowCodec.IsWritable(s.Type), $"type {s.Type} cannot be written; use one of {string.Join(", ", GgufRowCodec.WritableTypes)}");
        if (s.Preset == "llama-tiny")
            Need(s.Vocab >= RandomModelVocab.MinSize, $"--vocab {s.Vocab} is too small for the llama-tiny vocabulary (at least {RandomModelVocab.MinSize})");
        return s with
        {
            EmbStd = double.IsNaN(s.EmbStd) || s.EmbStd == 0 ? 2.0 / Math.Sqrt(s.Embd) : s.EmbStd,
            OutStd = double.IsNaN(s.OutStd) || s.OutStd == 0 ? 2.0 / Math.Sqrt(s.Embd) : s.OutStd,
        };
    }

    /// <summary>llama.cpp's general.file_type (enum llama_ftype) for a file whose 2-D weights are <paramref name="t"/>;
    /// Q4_K is reported as Q4_K_M and Q6_K as Q6_K, as llama-quantize names them.</summary>
    public static uint FileType(GgmlType t) => t switch
    {
        GgmlType.F32 => 0,
        GgmlType.F16 => 1,
        GgmlType.Q4_0 => 2,
        GgmlType.Q8_0 => 7,
        GgmlType.Q4_K => 15,
        GgmlType.Q6_K => 18,
        GgmlType.BF16 => 32,
        _ => throw new ArgumentException($"no llama.cpp file type for {t}"),
    };

    /// <summary>
    /// A writer holding the whole model; tensor data is generated while it is written.
    /// <paramref name="tokenizer"/>: the tokenizer.* entries to use (for the qwen2.5-0.5b preset, those
    /// of the Qwen2 vocabulary file); null makes the llama-tiny SentencePiece vocabulary of spec.Vocab entries.
    /// </summary>
    public static GgufWriter Build(RandomModelSpec spec, IReadOnlyList<KeyValuePair<string, GgufValue>>? tokenizer = null)
    {
        var s = Resolve(spec);
        GgufRowCodec.EnsureEncodable(s.Type);
        string a = s.Arch;
        var w = new GgufWriter();
        w.AddString("general.architecture", a);
        w.AddString("general.name", $"random-{s.Arch}-{s.Preset}");
        w.AddUInt32($"{a}.context_length", (uint)s.Context);
        w.AddUInt32($"{a}.embedding_length", (uint)s.Embd);
        w.AddUInt32($"{a}.block_count", (uint)s.Layers);
        w.AddUInt32($"{a}.feed_forward_length", (uint)s.FeedForward);
        w.AddUInt32($"{a}.attention.head_count", (uint)s.Heads);
        w.AddUInt32($"{a}.attention.head_count_kv", (uint)s.KvHeads);
        w.AddFloat32($"{a}.rope.freq_base", s.RopeBase);
        w.AddFloat32($"{a}.attention.layer_norm_rms_epsilon", s.RmsEps);
        w.AddUInt32($"{a}.rope.dimension_count", (uint)s.HeadDim);
        w.AddUInt32($"{a}.vocab_size", (uint)s.Vocab);
        w.AddUInt32("general.file_type", FileType(s.Type));

        if (tokenizer != null)
        {
            int n = 0;
            foreach (var (k, v) in tokenizer)
            {
                if (!k.StartsWith("tokenizer.", StringComparison.Ordinal)) continue;
                w.Add(k, v);
                if (k == "tokenizer.ggml.tokens") n = ((Array)v.Value).Length;
            }
            if (n != s.Vocab)
                throw new ArgumentException($"the vocabulary has {n} tokens but the model's vocab size is {s.Vocab}; the {s.Preset} preset's vocabulary cannot be resized");
        }
        else
        {
            var v = RandomModelVocab.Make(s.Vocab);
            w.AddString("tokenizer.ggml.model", "llama");
            w.AddString("tokenizer.ggml.pre", "default");
            w.AddArray("tokenizer.ggml.tokens", v.Tokens);
            w.AddArray("tokenizer.ggml.scores", v.Scores);
            w.AddArray("tokenizer.ggml.token_type", v.Types);
            w.AddUInt32("tokenizer.ggml.unknown_token_id", 0);
            w.AddUInt32("tokenizer.ggml.bos_token_id", 1);
            w.AddUInt32("tokenizer.ggml.eos_token_id", 2);
            w.AddBool("tokenizer.ggml.add_bos_token", true);
            w.AddBool("tokenizer.ggml.add_eos_token", false);
        }
        w.AddUInt32("general.quantization_version", 2);

        int E = s.Embd, V = s.Vocab, F = s.FeedForward, KV = s.KvDim;
        double sIn = 1.0 / Math.Sqrt(E), sFf = 1.0 / Math.Sqrt(F), res = s.ResScale;
        Matrix(w, s, "token_embd.weight", E, V, s.EmbStd);
        for (int i = 0; i < s.Layers; i++)
        {
            string p = $"blk.{i}.";
            Vector(w, s, p + "attn_norm.weight", E, 1.0, 0.1);
            Matrix(w, s, p + "attn_q.weight", E, E, sIn);
            Matrix(w, s, p + "attn_k.weight", E, KV, sIn);
            Matrix(w, s, p + "attn_v.weight", E, KV, sIn);
            if (s.QkvBias)
            {
                Vector(w, s, p + "attn_q.bias", E, 0, 0.1);
                Vector(w, s, p + "attn_k.bias", KV, 0, 0.1);
                Vector(w, s, p + "attn_v.bias", KV, 0, 0.1);
            }
            Matrix(w, s, p + "attn_output.weight", E, E, sIn * res);
            Vector(w, s, p + "ffn_norm.weight", E, 1.0, 0.1);
            Matrix(w, s, p + "ffn_gate.weight", E, F, sIn);
            Matrix(w, s, p + "ffn_up.weight", E, F, sIn);
            Matrix(w, s, p + "ffn_down.weight", F, E, sFf * res);
        }
        Vector(w, s, "output_norm.weight", E, 1.0, 0.1);
        if (!s.Tied) Matrix(w, s, "output.weight", E, V, s.OutStd);
        return w;
    }

    /// <summary>A 2-D weight, ggml ne = [cols (fan-in), rows], N(0, std), stored in the spec's type.</summary>
    static void Matrix(GgufWriter w, RandomModelSpec s, string name, int cols, int rows, double std)
    {
        long bytes = GgufWriter.TensorByteSize(s.Type, [cols, rows], name);
        w.AddTensor(name, s.Type, [cols, rows], bytes, st =>
            GgufRowCodec.WriteRows(st, s.Type, cols, rows, (r, buf) => RandomModelRng.ForRow(s.Seed, name, r).FillNormal(buf, 0, std)));
    }

    /// <summary>A 1-D tensor (norm weight or bias), always F32.</summary>
    static void Vector(GgufWriter w, RandomModelSpec s, string name, int n, double mean, double std)
    {
        var v = new float[n];
        RandomModelRng.ForRow(s.Seed, name, 0).FillNormal(v, mean, std);
        var bytes = new byte[n * 4];
        GgufRowCodec.Encode(GgmlType.F32, v, bytes);
        w.AddTensor(name, GgmlType.F32, [n], bytes);
    }

    /// <summary>The tokenizer.* entries of a (possibly gzipped) vocabulary GGUF.</summary>
    public static List<KeyValuePair<string, GgufValue>> LoadTokenizer(string path)
    {
        byte[] bytes;
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            using var gz = new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress);
            using var ms = new MemoryStream();
            gz.CopyTo(ms);
            bytes = ms.ToArray();
        }
        else bytes = File.ReadAllBytes(path);
        using var f = GgufFile.FromBytes(bytes, path);
        var list = new List<KeyValuePair<string, GgufValue>>();
        foreach (var k in f.Metadata.Keys)
            if (k.StartsWith("tokenizer.", StringComparison.Ordinal)) list.Add(new(k, f.Metadata[k]));
        if (list.Count == 0) throw new GgufFormatException($"{path} has no tokenizer.* metadata");
        return list;
    }
}
