using Ponder.Gguf;
using Ponder.Models;
using Ponder.Tensors;

namespace Ponder.Train;

/// <summary>Writes a trained <see cref="LlamaModel"/> as a llama GGUF through Ponder's writer:
/// 2-D weights in the spec's type (F16 or Q8_0), norms in F32, the char vocabulary and chat template.</summary>
public static class GgufExport
{
    public static void Write(LlamaModel m, string path, string name, IReadOnlyDictionary<string, string>? extra = null)
    {
        var s = m.Spec;
        s.Validate();
        var w = new GgufWriter();
        w.AddString("general.architecture", "llama");
        w.AddString("general.name", name);
        if (extra != null) foreach (var (k, v) in extra) w.AddString(k, v);
        w.AddUInt32("llama.context_length", (uint)s.Context);
        w.AddUInt32("llama.embedding_length", (uint)s.Embd);
        w.AddUInt32("llama.block_count", (uint)s.Layers);
        w.AddUInt32("llama.feed_forward_length", (uint)s.FeedForward);
        w.AddUInt32("llama.attention.head_count", (uint)s.Heads);
        w.AddUInt32("llama.attention.head_count_kv", (uint)s.KvHeads);
        w.AddFloat32("llama.rope.freq_base", s.RopeBase);
        w.AddFloat32("llama.attention.layer_norm_rms_epsilon", s.RmsEps);
        w.AddUInt32("llama.rope.dimension_count", (uint)s.HeadDim);
        w.AddUInt32("llama.vocab_size", (uint)m.Vocab);
        w.AddUInt32("general.file_type", RandomModel.FileType(s.WeightType));
        w.AddString("tokenizer.ggml.model", "llama");
        w.AddString("tokenizer.ggml.pre", "default");
        w.AddArray("tokenizer.ggml.tokens", CharVocab.Tokens);
        w.AddArray("tokenizer.ggml.scores", CharVocab.Scores);
        w.AddArray("tokenizer.ggml.token_type", CharVocab.Types);
        w.AddUInt32("tokenizer.ggml.unknown_token_id", CharVocab.Unk);
        w.AddUInt32("tokenizer.ggml.bos_token_id", CharVocab.Bos);
        w.AddUInt32("tokenizer.ggml.eos_token_id", CharVocab.Eos);
        w.AddBool("tokenizer.ggml.add_bos_token", true);
        w.AddBool("tokenizer.ggml.add_eos_token", false);
        // Questions start the text; a leading ▁ would cost a token the model never saw.
        w.AddBool("tokenizer.ggml.add_space_prefix", false);
        w.AddString("tokenizer.chat_template", CharVocab.ChatTemplate);
        w.AddUInt32("general.quantization_version", 2);

        foreach (var (n, p, matrix) in m.Named)
        {
            var data = p.detach().cpu().contiguous().data<float>().ToArray();
            if (matrix)
            {
                int rows = (int)p.shape[0], cols = (int)p.shape[1];
                var type = s.WeightType;
                long bytes = GgufWriter.TensorByteSize(type, [cols, rows], n);
                var enc = new byte[bytes];
                long rowBytes = bytes / rows;
                for (int r = 0; r < rows; r++)
                    GgufRowCodec.Encode(type, data.AsSpan(r * cols, cols), enc.AsSpan((int)(r * rowBytes), (int)rowBytes));
                w.AddTensor(n, type, [cols, rows], enc);
            }
            else
            {
                var enc = new byte[data.Length * 4];
                GgufRowCodec.Encode(GgmlType.F32, data, enc);
                w.AddTensor(n, GgmlType.F32, [data.Length], enc);
            }
        }
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir != null) Directory.CreateDirectory(dir);
        var tmp = path + ".tmp";
        w.WriteTo(tmp);
        File.Move(tmp, path, overwrite: true);
    }
}
