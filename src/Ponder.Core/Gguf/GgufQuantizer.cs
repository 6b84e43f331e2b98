using Ponder.Tensors;

namespace Ponder.Gguf;

/// <summary>
/// Re-encodes a GGUF model like <c>llama-quantize --pure</c>: every 2-D tensor whose name ends in
/// ".weight" goes to the target type, 1-D tensors become (stay) F32, anything else is copied.
/// Metadata is copied, then general.quantization_version (2) and general.file_type are appended,
/// and tensors are ordered as llama.cpp's loader orders them (non-layer tensors by name, then
/// layer by layer, by name) — so for the same target type the output is the file llama-quantize
/// writes, byte for byte.
/// </summary>
public static class GgufQuantizer
{
    public static GgmlType ParseType(string s)
    {
        foreach (var t in GgufRowCodec.WritableTypes)
            if (string.Equals(t.ToString(), s, StringComparison.OrdinalIgnoreCase)) return t;
        throw new ArgumentException($"unsupported target type '{s}'; supported: {string.Join(", ", GgufRowCodec.WritableTypes)}");
    }

    /// <summary>What becomes of one tensor: its output type.</summary>
    public static GgmlType TargetFor(GgufTensorInfo t, GgmlType target) =>
        t.Dims.Length == 2 && t.Name.EndsWith(".weight", StringComparison.Ordinal) ? target
        : t.Dims.Length == 1 ? GgmlType.F32
        : t.Type;

    /// <summary>A writer for the re-encoded model; <paramref name="input"/> must stay open until it is written.
    /// Every check (target type, block divisibility, decodable source types) happens here, before any output.</summary>
    public static GgufWriter Plan(GgufFile input, GgmlType target)
    {
        if (!GgufRowCodec.IsWritable(target))
            throw new ArgumentException($"unsupported target type {target}; supported: {string.Join(", ", GgufRowCodec.WritableTypes)}");
        var w = new GgufWriter(input.Version);
        foreach (var k in input.Metadata.Keys)
            if (k is not ("general.file_type" or "general.quantization_version")) w.Add(k, input.Metadata[k]);
        w.AddUInt32("general.quantization_version", 2);
        w.AddUInt32("general.file_type", Models.RandomModel.FileType(target));

        var ordered = input.Tensors.ToList();
        ordered.Sort(LoaderOrder);
        foreach (var t in ordered)
        {
            var to = TargetFor(t, target);
            if (to == t.Type)
            {
                var src = t;
                w.AddTensor(t.Name, t.Type, t.Dims, t.ByteSize, s => CopyTensor(input, src, s));
                continue;
            }
            if (!GgufRowCodec.IsWritable(t.Type))
                throw new NotSupportedException($"tensor '{t.Name}' is {t.Type}, which cannot be re-encoded; source types supported: {string.Join(", ", GgufRowCodec.WritableTypes)}");
            if (!GgufRowCodec.IsWritable(to))
                throw new NotSupportedException($"tensor '{t.Name}' would become {to}, which cannot be written");
            if (t.Dims[0] % GgmlTypeInfo.BlockSize(to) != 0)
                throw new ArgumentException($"tensor '{t.Name}' has rows of {t.Dims[0]} values, not a multiple of the {to} block size {GgmlTypeInfo.BlockSize(to)}; choose another type");
            GgufRowCodec.EnsureEncodable(to);
            GgufRowCodec.EnsureDecodable(t.Type);
            var info = t;
            long bytes = GgufWriter.TensorByteSize(to, t.Dims, t.Name);
            w.AddTensor(t.Name, to, t.Dims, bytes, s => Reencode(input, info, to, s));
        }
        return w;
    }

    public static void Run(string inputPath, string outputPath, GgmlType target)
    {
        using var input = GgufFile.Open(inputPath);
        Plan(input, target).WriteTo(outputPath);
    }

    static unsafe void CopyTensor(GgufFile f, GgufTensorInfo t, Stream s) => GgufWriter.CopyFromPointer(f.DataPointer(t), t.ByteSize, s);

    static unsafe void Reencode(GgufFile f, GgufTensorInfo t, GgmlType to, Stream s)
    {
        int cols = (int)t.Dims[0];
        long srcRow = GgmlTypeInfo.RowBytes(t.Type, cols);
        byte* basePtr = f.DataPointer(t);
        GgufRowCodec.WriteRows(s, to, cols, t.Rows, (r, buf) =>
            GgufRowCodec.Decode(t.Type, new ReadOnlySpan<byte>(basePtr + r * srcRow, (int)srcRow), buf));
    }

    /// <summary>llama_model_loader's weight_name_comparer: by layer number ("blk.N."; -1 for none), then by name.</summary>
    public static int LoaderOrder(GgufTensorInfo a, GgufTensorInfo b)
    {
        int la = Layer(a.Name), lb = Layer(b.Name);
        return la != lb ? la.CompareTo(lb) : string.CompareOrdinal(a.Name, b.Name);
    }

    static int Layer(string name)
    {
        // sscanf("blk.%d.") semantics: digits after "blk.", optional sign; -1 if it does not match.
        if (!name.StartsWith("blk.", StringComparison.Ordinal)) return -1;
        int i = 4, sign = 1;
        if (i < name.Length && (name[i] == '-' || name[i] == '+')) { sign = name[i] == '-' ? -1 : 1; i++; }
        int start = i;
        long v = 0;
        while (i < name.Length && char.IsAsciiDigit(name[i]) && v < int.MaxValue) v = v * 10 + (name[i++] - '0');
        return i == start ? -1 : (int)Math.Clamp(sign * v, int.MinValue, int.MaxValue);
    }
}
