using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Ponder.Tensors;

namespace Ponder.Gguf;

/// <summary>
/// Writes GGUF files (version 3 by default, or 2; the two share one layout). Metadata keeps the
/// order it was added in; tensors are laid out in the order added, each at the next multiple of
/// the alignment (<c>general.alignment</c> if set, else 32) and padded with zeros, which is what
/// gguf-py and llama.cpp's gguf_write do — so re-writing a file they made gives the same bytes.
/// Tensor data is given as a byte array or as a callback that streams a declared number of bytes,
/// so a multi-gigabyte model never has to be held in memory; the writer checks every size.
/// </summary>
public sealed class GgufWriter
{
    /// <summary>llama.cpp rejects tensor names of GGML_MAX_NAME (64) bytes or more.</summary>
    public const int MaxTensorNameBytes = 63;
    const int MaxArrayDepth = 3; // the reader's limit: array of array of array of scalars

    private readonly List<KeyValuePair<string, GgufValue>> _kv = [];
    private readonly List<PendingTensor> _tensors = [];
    private readonly HashSet<string> _tensorNames = new(StringComparer.Ordinal);

    public uint Version { get; }

    /// <summary>Whether a file with no tensors still gets zero padding up to the alignment after its
    /// header. gguf-py pads; llama.cpp's older vocab files do not. <see cref="FromFile"/> keeps what
    /// the source did, so a re-written file is byte-identical either way.</summary>
    public bool PadWhenNoTensors { get; set; } = true;

    public GgufWriter(uint version = 3)
    {
        if (version is not (2 or 3)) throw new ArgumentException($"GGUF version {version} cannot be written; use 2 or 3");
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("GGUF is written little-endian only");
        Version = version;
    }

    public IReadOnlyList<KeyValuePair<string, GgufValue>> Metadata => _kv;
    public int TensorCount => _tensors.Count;

    /// <summary>The data alignment: <c>general.alignment</c> if set, else <see cref="GgufFile.DefaultAlignment"/>.</summary>
    public int Alignment
    {
        get
        {
            int i = IndexOf("general.alignment");
            return i < 0 ? GgufFile.DefaultAlignment : (int)(uint)_kv[i].Value.Value;
        }
    }

    // ------------------------------------------------------------ metadata

    /// <summary>Adds a key; a key already present is an error (GGUF keys are unique).</summary>
    public GgufWriter Add(string key, GgufValue value)
    {
        Validate(key, value);
        if (IndexOf(key) >= 0) throw new ArgumentException($"metadata key '{key}' is already set");
        _kv.Add(new(key, value));
        return this;
    }

    /// <summary>Sets a key, replacing its value in place if present, else appending it.</summary>
    public GgufWriter Set(string key, GgufValue value)
    {
        Validate(key, value);
        int i = IndexOf(key);
        if (i >= 0) _kv[i] = new(key, value);
        else _kv.Add(new(key, value));
        return this;
    }

    public bool Remove(string key)
    {
        int i = IndexOf(key);
        if (i >= 0) _kv.RemoveAt(i);
        return i >= 0;
    }

    public bool TryGet(string key, out GgufValue value)
    {
        int i = IndexOf(key);
        value = i >= 0 ? _kv[i].Value : null!;
        return i >= 0;
    }

    public GgufWriter AddString(string key, string v) => Add(key, GgufValue.Str(v));
    public GgufWriter AddUInt32(string key, uint v) => Add(key, GgufValue.U32(v));
    public GgufWriter AddInt32(string key, int v) => Add(key, GgufValue.I32(v));
    public GgufWriter AddFloat32(string key, float v) => Add(key, GgufValue.F32(v));
    public GgufWriter AddBool(string key, bool v) => Add(key, GgufValue.Bool(v));
    public GgufWriter AddArray(string key, Array items) => Add(key, GgufValue.Arr(items));

    private int IndexOf(string key)
    {
        for (int i = 0; i < _kv.Count; i++)
            if (string.Equals(_kv[i].Key, key, StringComparison.Ordinal)) return i;
        return -1;
    }

    private static void Validate(string key, GgufValue value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        if (key.Length == 0) throw new ArgumentException("metadata key is empty");
        ValidateValue(key, value.Type, value.Value, value.ElementType, 0);
        if (key == "general.alignment")
        {
            if (value.Value is not uint a || a == 0 || (a & (a - 1)) != 0 || a > 1 << 20)
                throw new ArgumentException($"general.alignment must be a power of two stored as uint32 (at most 2^20), got {value}");
        }
    }

    private static void ValidateValue(string key, GgufValueType type, object value, GgufValueType elementType, int depth)
    {
        ArgumentNullException.ThrowIfNull(value, key);
        var actual = GgufValue.TypeOfScalar(value)
            ?? throw new ArgumentException($"metadata '{key}': a {value.GetType().Name} cannot be stored in GGUF");
        if (actual != type)
            throw new ArgumentException($"metadata '{key}': declared {type} but the value is a {value.GetType().Name}");
        if (type != GgufValueType.Array) return;
        if (depth >= MaxArrayDepth) throw new ArgumentException($"metadata '{key}' nests arrays more than {MaxArrayDepth} deep");
        var a = (Array)value;
        var et = GgufValue.TypeOfArray(a);
        if (et != elementType)
            throw new ArgumentException($"metadata '{key}': declared element type {elementType} but the array is a {a.GetType().Name}");
        if (a is string[] ss)
        {
            foreach (var s in ss) ArgumentNullException.ThrowIfNull(s, key);
        }
        else if (a is object[] inner)
        {
            foreach (var o in inner)
            {
                if (o is not Array ia) throw new ArgumentException($"metadata '{key}': an array of arrays holds a {o?.GetType().Name ?? "null"}");
                ValidateValue(key, GgufValueType.Array, ia, GgufValue.TypeOfArray(ia), depth + 1);
            }
        }
    }

    // ------------------------------------------------------------ tensors

    /// <summary>Adds a tensor whose encoded data is <paramref name="data"/> (exactly its byte size).</summary>
    public void AddTensor(string name, GgmlType type, ReadOnlySpan<long> dims, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        long size = TensorByteSize(type, dims, name);
        if (data.LongLength != size)
            throw new ArgumentException($"tensor '{name}' ({type} [{string.Join(", ", dims.ToArray())}]) needs {size} bytes of data, got {data.LongLength}");
        AddPending(name, type, dims, size, s => s.Write(data));
    }

    /// <summary>Adds a tensor whose data is produced when the file is written: <paramref name="writeData"/>
    /// must write exactly <paramref name="byteSize"/> bytes (the encoded size of the shape) to the stream.</summary>
    public void AddTensor(string name, GgmlType type, ReadOnlySpan<long> dims, long byteSize, Action<Stream> writeData)
    {
        ArgumentNullException.ThrowIfNull(writeData);
        long size = TensorByteSize(type, dims, name);
        if (byteSize != size)
            throw new ArgumentException($"tensor '{name}' ({type} [{string.Join(", ", dims.ToArray())}]) takes {size} bytes, but {byteSize} were declared");
        AddPending(name, type, dims, size, writeData);
    }

    /// <summary>Bytes that a tensor of this type and shape (ggml ne order) takes; checks the shape.</summary>
    public static long TensorByteSize(GgmlType type, ReadOnlySpan<long> dims, string name = "tensor")
    {
        if (!GgmlTypeInfo.TryGetLayout(type, out int blk, out int tsz))
            throw new ArgumentException($"tensor '{name}' has unknown type id {(uint)type}");
        if (dims.Length is 0 or > 4) throw new ArgumentException($"tensor '{name}' has {dims.Length} dimensions; 1..4 are allowed");
        foreach (var d in dims)
            if (d < 1 || d > int.MaxValue) throw new ArgumentException($"tensor '{name}' has dimension {d}; each must be 1..{int.MaxValue}");
        if (dims[0] % blk != 0)
            throw new ArgumentException($"tensor '{name}' ({type}) has rows of {dims[0]} values, not a multiple of the block size {blk}");
        long size = checked(dims[0] / blk * tsz);
        for (int i = 1; i < dims.Length; i++) size = checked(size * dims[i]);
        return size;
    }

    private void AddPending(string name, GgmlType type, ReadOnlySpan<long> dims, long size, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(name);
        int nameBytes = Encoding.UTF8.GetByteCount(name);
        if (nameBytes == 0 || nameBytes > MaxTensorNameBytes)
            throw new ArgumentException($"tensor name '{name}' is {nameBytes} bytes; llama.cpp accepts 1..{MaxTensorNameBytes}");
        if (!_tensorNames.Add(name)) throw new ArgumentException($"tensor '{name}' is already added");
        _tensors.Add(new PendingTensor(name, type, dims.ToArray(), size, write));
    }

    /// <summary>A writer holding all of <paramref name="file"/>'s metadata (same order) and tensors
    /// (same order, data read from the mapping when written, so the file must stay open until then).</summary>
    public static unsafe GgufWriter FromFile(GgufFile file, uint? version = null)
    {
        var w = new GgufWriter(version ?? file.Version);
        w.PadWhenNoTensors = file.Tensors.Count > 0 || file.Length >= file.DataOffset;
        foreach (var k in file.Metadata.Keys) w.Add(k, file.Metadata[k]);
        foreach (var t in file.Tensors)
        {
            var ti = t;
            w.AddTensor(t.Name, t.Type, t.Dims, t.ByteSize, s => CopyFromPointer(file.DataPointer(ti), ti.ByteSize, s));
        }
        return w;
    }

    /// <summary>Streams native memory (e.g. a mapped tensor) to a stream in chunks of at most 1 GiB.</summary>
    public static unsafe void CopyFromPointer(byte* p, long length, Stream s)
    {
        const int Chunk = 1 << 30;
        for (long done = 0; done < length;)
        {
            int n = (int)Math.Min(Chunk, length - done);
            s.Write(new ReadOnlySpan<byte>(p + done, n));
            done += n;
        }
    }

    // ------------------------------------------------------------ output

    /// <summary>Writes the file through a temporary file next to it, renamed over <paramref name="path"/>
    /// at the end, so a failed write never leaves a half-written model (or clobbers an input being read).</summary>
    public void WriteTo(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        var tmp = full + $".tmp{Environment.ProcessId}";
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                WriteTo(fs);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>Writes the whole file to <paramref name="output"/> (no seeking needed).</summary>
    public void WriteTo(Stream output)
    {
        int align = Alignment;
        var header = new MemoryStream();
        WriteHeader(header, align);
        if (_tensors.Count > 0 || PadWhenNoTensors) WriteZeros(header, AlignUp(header.Length, align) - header.Length);
        header.Position = 0;
        header.CopyTo(output);

        foreach (var t in _tensors)
        {
            var sink = new TensorSink(output, t.Name, t.Size);
            t.Write(sink);
            if (sink.Written != t.Size)
                throw new InvalidOperationException($"tensor '{t.Name}': the data producer wrote {sink.Written} bytes, {t.Size} were declared");
            WriteZeros(output, AlignUp(t.Size, align) - t.Size);
        }
        output.Flush();
    }

    /// <summary>The size of the file <see cref="WriteTo(Stream)"/> would write.</summary>
    public long ComputeFileSize()
    {
        int align = Alignment;
        var counter = new CountingStream();
        WriteHeader(counter, align);
        long n = _tensors.Count > 0 || PadWhenNoTensors ? AlignUp(counter.Length, align) : counter.Length;
        foreach (var t in _tensors) n += AlignUp(t.Size, align);
        return n;
    }

    /// <summary>Header, metadata and tensor infos (offsets relative to the aligned data section).</summary>
    private void WriteHeader(Stream s, int align)
    {
        WriteU32(s, GgufFile.Magic);
        WriteU32(s, Version);
        WriteU64(s, (ulong)_tensors.Count);
        WriteU64(s, (ulong)_kv.Count);
        foreach (var (k, v) in _kv)
        {
            WriteString(s, k);
            WriteU32(s, (uint)v.Type);
            WriteValue(s, v.Type, v.Value);
        }
        long offset = 0;
        foreach (var t in _tensors)
        {
            WriteString(s, t.Name);
            WriteU32(s, (uint)t.Dims.Length);
            foreach (var d in t.Dims) WriteU64(s, (ulong)d);
            WriteU32(s, (uint)t.Type);
            WriteU64(s, (ulong)offset);
            offset = checked(offset + AlignUp(t.Size, align));
        }
    }

    private static long AlignUp(long x, int a) => (x + a - 1) / a * a;

    private static void WriteValue(Stream s, GgufValueType type, object v)
    {
        switch (type)
        {
            case GgufValueType.UInt8: s.WriteByte((byte)v); break;
            case GgufValueType.Int8: s.WriteByte(unchecked((byte)(sbyte)v)); break;
            case GgufValueType.UInt16: WritePrim(s, (ushort)v); break;
            case GgufValueType.Int16: WritePrim(s, (short)v); break;
            case GgufValueType.UInt32: WriteU32(s, (uint)v); break;
            case GgufValueType.Int32: WritePrim(s, (int)v); break;
            case GgufValueType.Float32: WritePrim(s, (float)v); break;
            case GgufValueType.Bool: s.WriteByte((bool)v ? (byte)1 : (byte)0); break;
            case GgufValueType.String: WriteString(s, (string)v); break;
            case GgufValueType.UInt64: WriteU64(s, (ulong)v); break;
            case GgufValueType.Int64: WritePrim(s, (long)v); break;
            case GgufValueType.Float64: WritePrim(s, (double)v); break;
            case GgufValueType.Array: WriteArray(s, (Array)v); break;
            default: throw new ArgumentException($"unknown GGUF value type {(uint)type}");
        }
    }

    private static void WriteArray(Stream s, Array a)
    {
        var et = GgufValue.TypeOfArray(a);
        WriteU32(s, (uint)et);
        WriteU64(s, (ulong)a.LongLength);
        switch (a)
        {
            case byte[] x: s.Write(x); break;
            case sbyte[] x: s.Write(MemoryMarshal.AsBytes(x.AsSpan())); break;
            case ushort[] x: s.Write(MemoryMarshal.AsBytes(x.AsSpan())); break;
            case short[] x: s.Write(MemoryMarshal.AsBytes(x.AsSpan())); break;
            case uint[] x: s.Write(MemoryMarshal.AsBytes(x.AsSpan())); break;
            case int[] x: s.Write(MemoryMarshal.AsBytes(x.AsSpan())); break;
            case float[] x: s.Write(MemoryMarshal.AsBytes(x.AsSpan())); break;
            case ulong[] x: s.Write(MemoryMarshal.AsBytes(x.AsSpan())); break;
            case long[] x: s.Write(MemoryMarshal.AsBytes(x.AsSpan())); break;
            case double[] x: s.Write(MemoryMarshal.AsBytes(x.AsSpan())); break;
            case bool[] x: foreach (var b in x) s.WriteByte(b ? (byte)1 : (byte)0); break;
            case string[] x: foreach (var str in x) WriteString(s, str); break;
            case object[] x: foreach (var inner in x) WriteArray(s, (Array)inner); break;
        }
    }

    private static void WritePrim<T>(Stream s, T v) where T : unmanaged => s.Write(MemoryMarshal.AsBytes(new ReadOnlySpan<T>(in v)));

    private static void WriteU32(Stream s, uint v)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, v);
        s.Write(b);
    }

    private static void WriteU64(Stream s, ulong v)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, v);
        s.Write(b);
    }

    private static void WriteString(Stream s, string v)
    {
        var bytes = Encoding.UTF8.GetBytes(v);
        WriteU64(s, (ulong)bytes.Length);
        s.Write(bytes);
    }

    private static void WriteZeros(Stream s, long n)
    {
        Span<byte> z = stackalloc byte[64];
        z.Clear();
        while (n > 0)
        {
            int k = (int)Math.Min(n, z.Length);
            s.Write(z[..k]);
            n -= k;
        }
    }

    private sealed record PendingTensor(string Name, GgmlType Type, long[] Dims, long Size, Action<Stream> Write);

    /// <summary>What a data producer writes to: passes bytes through, refusing any beyond the declared size.</summary>
    private sealed class TensorSink(Stream inner, string name, long size) : Stream
    {
        public long Written { get; private set; }
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => Written;
        public override long Position { get => Written; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (buffer.Length > size - Written)
                throw new InvalidOperationException($"tensor '{name}': the data producer wrote more than the {size} bytes declared");
            inner.Write(buffer);
            Written += buffer.Length;
        }
    }

    private sealed class CountingStream : Stream
    {
        private long _n;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _n;
        public override long Position { get => _n; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _n += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _n += buffer.Length;
    }
}
