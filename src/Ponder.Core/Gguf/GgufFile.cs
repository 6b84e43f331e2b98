using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;
using System.Text;
using Ponder.Tensors;

namespace Ponder.Gguf;

/// <summary>
/// A GGUF file (versions 2 and 3), memory-mapped: metadata and tensor infos are parsed once and
/// validated against the file length; tensor data is never copied, callers get pointers into the
/// mapping. Every read is bounds-checked, so a truncated or corrupted file gives a
/// <see cref="GgufFormatException"/> naming the offset and field, never an out-of-bounds read.
/// </summary>
public sealed unsafe class GgufFile : IDisposable
{
    public const uint Magic = 0x46554747; // "GGUF" little-endian
    public const int DefaultAlignment = 32;
    const int MaxDims = 4; // GGML_MAX_DIMS

    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private byte* _base;
    private readonly bool _ownsNative;
    private readonly Dictionary<string, GgufTensorInfo> _byName;

    public string Path { get; }
    public long Length { get; }
    public uint Version { get; }
    public GgufMetadata Metadata { get; }
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }
    public int Alignment { get; }
    public long DataOffset { get; }

    public static GgufFile Open(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"model file not found: {path}", path);
        return new GgufFile(path);
    }

    /// <summary>Reads a GGUF image held in memory (copied to native memory), e.g. a decompressed vocabulary.</summary>
    public static GgufFile FromBytes(ReadOnlySpan<byte> bytes, string name = "<memory>") => new(bytes, name);

    private GgufFile(string path)
    {
        Path = path;
        Length = new FileInfo(path).Length;
        if (Length > 0)
        {
            _map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
            _view = _map.CreateViewAccessor(0, 0, MemoryMappedFileAccess.Read);
            _view.SafeMemoryMappedViewHandle.AcquirePointer(ref _base);
            _base += _view.PointerOffset;
        }
        try
        {
            (Version, Metadata, Tensors, Alignment, DataOffset) = Parse();
            _byName = BuildIndex(Tensors);
        }
        catch
        {
            // Also on a duplicate tensor name: release the mapping, a rejected file must not stay open.
            Dispose();
            throw;
        }
    }

    private GgufFile(ReadOnlySpan<byte> bytes, string name)
    {
        Path = name;
        Length = bytes.Length;
        _base = (byte*)NativeMemory.Alloc((nuint)Math.Max(1, bytes.Length));
        _ownsNative = true;
        bytes.CopyTo(new Span<byte>(_base, bytes.Length));
        try
        {
            (Version, Metadata, Tensors, Alignment, DataOffset) = Parse();
            _byName = BuildIndex(Tensors);
        }
        catch
        {
            // Also on a duplicate tensor name: release the mapping, a rejected file must not stay open.
            Dispose();
            throw;
        }
    }

    private static Dictionary<string, GgufTensorInfo> BuildIndex(IReadOnlyList<GgufTensorInfo> tensors)
    {
        var d = new Dictionary<string, GgufTensorInfo>(tensors.Count, StringComparer.Ordinal);
        foreach (var t in tensors)
            if (!d.TryAdd(t.Name, t)) throw new GgufFormatException($"tensor '{t.Name}' appears twice");
        return d;
    }

    public bool TryGetTensor(string name, out GgufTensorInfo info) => _byName.TryGetValue(name, out info!);

    public GgufTensorInfo GetTensor(string name) =>
        _byName.TryGetValue(name, out var t) ? t : throw new GgufFormatException($"tensor '{name}' is missing from {System.IO.Path.GetFileName(Path)}");

    /// <summary>Pointer to a tensor's data inside the mapping; valid while this file is open.</summary>
    public byte* DataPointer(GgufTensorInfo t)
    {
        ObjectDisposedException.ThrowIf(_base == null, this);
        return _base + t.DataOffset;
    }

    public ReadOnlySpan<byte> DataSpan(GgufTensorInfo t) =>
        t.ByteSize <= int.MaxValue
            ? new ReadOnlySpan<byte>(DataPointer(t), (int)t.ByteSize)
            : throw new InvalidOperationException($"tensor {t.Name} is larger than 2 GiB; use DataPointer");

    public void Dispose()
    {
        if (_base == null) return;
        if (_ownsNative) NativeMemory.Free(_base);
        else _view?.SafeMemoryMappedViewHandle.ReleasePointer();
        _base = null;
        _view?.Dispose();
        _map?.Dispose();
    }

    // ---------------------------------------------------------------- parsing

    private (uint, GgufMetadata, IReadOnlyList<GgufTensorInfo>, int, long) Parse()
    {
        var r = new Cursor(_base, Length);
        if (Length < 4) throw new GgufFormatException($"file is {Length} bytes, too short to be GGUF");
        uint magic = r.U32("magic");
        if (magic != Magic)
            throw new GgufFormatException($"not a GGUF file: magic is 0x{magic:X8}, expected 0x{Magic:X8} (\"GGUF\")");
        uint version = r.U32("version");
        if (version is not (2 or 3))
        {
            string hint = version == 1 ? " (GGUF v1 is obsolete; re-convert the model)"
                : (version & 0xFFFF) == 0 ? " (looks like a big-endian file, which is not supported)" : "";
            throw new GgufFormatException($"unsupported GGUF version {version}{hint}; versions 2 and 3 are supported");
        }
        long nTensors = r.Count("tensor count", 8 + 4 + 8 + 8 + 8); // smallest tensor info
        long nKv = r.Count("metadata count", 8 + 4 + 1);

        var entries = new List<KeyValuePair<string, GgufValue>>((int)Math.Min(nKv, 4096));
        for (long i = 0; i < nKv; i++)
        {
            long at = r.Position;
            string key = r.String($"key of metadata entry {i}");
            var type = (GgufValueType)r.U32($"type of metadata '{key}'");
            try
            {
                entries.Add(new(key, ReadValue(ref r, type, key, depth: 0)));
            }
            catch (GgufFormatException e) when (!e.Message.Contains('\'' + key + '\''))
            {
                throw new GgufFormatException($"metadata '{key}' at offset {at}: {e.Message}");
            }
        }
        var meta = new GgufMetadata(entries);

        int alignment = DefaultAlignment;
        if (meta.TryGet("general.alignment", out var al))
        {
            long a = al.Value is uint u ? u : al.Value is int ii ? ii : -1;
            if (a <= 0 || (a & (a - 1)) != 0 || a > 1 << 20)
                throw new GgufFormatException($"general.alignment must be a power of two (as uint32), got {al}");
            alignment = (int)a;
        }

        var infos = new (string name, GgmlType type, long[] dims, ulong off, long at)[nTensors];
        for (long i = 0; i < nTensors; i++)
        {
            long at = r.Position;
            string name = r.String($"name of tensor {i}");
            uint nd = r.U32($"dimension count of tensor '{name}'");
            if (nd == 0 || nd > MaxDims)
                throw new GgufFormatException($"tensor '{name}' has {nd} dimensions (offset {at}); 1..{MaxDims} are allowed");
            var dims = new long[nd];
            for (int d = 0; d < nd; d++)
            {
                ulong v = r.U64($"dimension {d} of tensor '{name}'");
                if (v == 0 || v > int.MaxValue)
                    throw new GgufFormatException($"tensor '{name}' dimension {d} is {v}; must be 1..{int.MaxValue}");
                dims[d] = (long)v;
            }
            uint type = r.U32($"type of tensor '{name}'");
            ulong off = r.U64($"data offset of tensor '{name}'");
            infos[i] = (name, (GgmlType)type, dims, off, at);
        }

        long dataStart = AlignUp(r.Position, alignment);
        if (nTensors > 0 && dataStart > Length)
            throw new GgufFormatException($"file ends at {Length} before the tensor data section at {dataStart} (truncated)");
        long dataLen = Math.Max(0, Length - dataStart);

        var tensors = new GgufTensorInfo[nTensors];
        for (long i = 0; i < nTensors; i++)
        {
            var (name, type, dims, off, _) = infos[i];
            if (!GgmlTypeInfo.TryGetLayout(type, out int blk, out int tsz))
                throw new GgufFormatException(
                    $"tensor '{name}' has unknown type id {(uint)type}; known ggml types include {GgmlTypeInfo.SupportedList} (supported for compute)");
            if (dims[0] % blk != 0)
                throw new GgufFormatException($"tensor '{name}' ({type}) has rows of {dims[0]} values, not a multiple of the block size {blk}");
            long size;
            try
            {
                size = checked(dims[0] / blk * tsz);
                for (int d = 1; d < dims.Length; d++) size = checked(size * dims[d]);
            }
            catch (OverflowException)
            {
                throw new GgufFormatException($"tensor '{name}' shape [{string.Join(", ", dims)}] is too large");
            }
            if (off % (ulong)alignment != 0)
                throw new GgufFormatException($"tensor '{name}' data offset {off} is not aligned to {alignment}");
            if (off > (ulong)dataLen || (ulong)size > (ulong)dataLen - off)
                throw new GgufFormatException(
                    $"tensor '{name}' data [{off}, {off + (ulong)size}) lies outside the data section of {dataLen} bytes (file truncated or corrupted)");
            tensors[i] = new GgufTensorInfo(name, type, dims, dataStart + (long)off, size);
        }
        return (version, meta, tensors, alignment, dataStart);
    }

    private static long AlignUp(long x, int a) => (x + a - 1) / a * a;

    private static GgufValue ReadValue(ref Cursor r, GgufValueType type, string key, int depth)
    {
        switch (type)
        {
            case GgufValueType.Array:
                if (depth > 2) throw new GgufFormatException($"metadata '{key}' nests arrays too deeply");
                var et = (GgufValueType)r.U32($"array element type of '{key}'");
                int minSize = ElementSize(et, key);
                long n = r.Count($"array length of '{key}'", minSize);
                return new GgufValue(GgufValueType.Array, ReadArray(ref r, et, (int)n, key, depth), et);
            default:
                return new GgufValue(type, ReadScalar(ref r, type, key));
        }
    }

    private static object ReadScalar(ref Cursor r, GgufValueType type, string key) => type switch
    {
        GgufValueType.UInt8 => r.Bytes(1, key)[0],
        GgufValueType.Int8 => (sbyte)r.Bytes(1, key)[0],
        GgufValueType.UInt16 => r.Read<ushort>(key),
        GgufValueType.Int16 => r.Read<short>(key),
        GgufValueType.UInt32 => r.U32(key),
        GgufValueType.Int32 => r.Read<int>(key),
        GgufValueType.Float32 => r.Read<float>(key),
        GgufValueType.Bool => r.Bool(key),
        GgufValueType.String => r.String(key),
        GgufValueType.UInt64 => r.U64(key),
        GgufValueType.Int64 => r.Read<long>(key),
        GgufValueType.Float64 => r.Read<double>(key),
        _ => throw new GgufFormatException($"metadata '{key}' has unknown value type {(uint)type}"),
    };

    private static int ElementSize(GgufValueType t, string key) => t switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 => 8,
        GgufValueType.String => 8,
        GgufValueType.Array => 12,
        _ => throw new GgufFormatException($"metadata '{key}' has unknown array element type {(uint)t}"),
    };

    private static Array ReadArray(ref Cursor r, GgufValueType et, int n, string key, int depth)
    {
        switch (et)
        {
            case GgufValueType.UInt8: return r.Bytes(n, key).ToArray();
            case GgufValueType.Int8: return MemoryMarshal.Cast<byte, sbyte>(r.Bytes(n, key)).ToArray();
            case GgufValueType.UInt16: return r.Array<ushort>(n, key);
            case GgufValueType.Int16: return r.Array<short>(n, key);
            case GgufValueType.UInt32: return r.Array<uint>(n, key);
            case GgufValueType.Int32: return r.Array<int>(n, key);
            case GgufValueType.Float32: return r.Array<float>(n, key);
            case GgufValueType.UInt64: return r.Array<ulong>(n, key);
            case GgufValueType.Int64: return r.Array<long>(n, key);
            case GgufValueType.Float64: return r.Array<double>(n, key);
            case GgufValueType.Bool:
                var b = new bool[n];
                for (int i = 0; i < n; i++) b[i] = r.Bool(key);
                return b;
            case GgufValueType.String:
                var s = new string[n];
                for (int i = 0; i < n; i++) s[i] = r.String(key);
                return s;
            default:
                var o = new object[n];
                for (int i = 0; i < n; i++) o[i] = ReadValue(ref r, GgufValueType.Array, key, depth + 1).Value;
                return o;
        }
    }

    /// <summary>A bounds-checked little-endian reader over the mapped bytes.</summary>
    private struct Cursor(byte* p, long length)
    {
        public long Position;

        public ReadOnlySpan<byte> Bytes(long n, string what)
        {
            if (n < 0 || n > length - Position)
                throw new GgufFormatException($"file ends at {length} while reading {what} ({n} bytes at offset {Position}); truncated or corrupted");
            // A span is at most 2 GiB; a longer field (say an array of 300M u64 in a 3 GB file) fits the
            // file but not a span, and must fail as a format error rather than an ArgumentOutOfRange.
            if (n > int.MaxValue)
                throw new GgufFormatException($"{what} at offset {Position} is {n} bytes, larger than the 2 GiB a metadata field may take");
            var s = new ReadOnlySpan<byte>(p + Position, (int)n);
            Position += n;
            return s;
        }

        public T Read<T>(string what) where T : unmanaged =>
            MemoryMarshal.Read<T>(Bytes(sizeof(T), what));

        public T[] Array<T>(int n, string what) where T : unmanaged =>
            MemoryMarshal.Cast<byte, T>(Bytes((long)n * sizeof(T), what)).ToArray();

        public uint U32(string what) => Read<uint>(what);
        public ulong U64(string what) => Read<ulong>(what);

        public bool Bool(string what)
        {
            byte b = Bytes(1, what)[0];
            return b switch { 0 => false, 1 => true, _ => throw new GgufFormatException($"{what}: bool byte is {b} at offset {Position - 1}") };
        }

        /// <summary>A count whose elements take at least <paramref name="minElementSize"/> bytes each:
        /// a count the rest of the file could not hold is rejected before anything is allocated.</summary>
        public long Count(string what, int minElementSize)
        {
            long at = Position;
            ulong n = U64(what);
            if (n > (ulong)((length - Position) / minElementSize) || n > int.MaxValue)
                throw new GgufFormatException($"{what} {n} at offset {at} cannot fit in the {length - Position} bytes left; truncated or corrupted");
            return (long)n;
        }

        public string String(string what)
        {
            long n = Count($"length of {what}", 1);
            return Encoding.UTF8.GetString(Bytes(n, what));
        }
    }
}
