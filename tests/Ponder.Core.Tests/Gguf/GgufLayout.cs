using System.Buffers.Binary;
using System.Text;

namespace Ponder.Core.Tests.Gguf;

/// <summary>
/// A test-side walk over a well-formed GGUF image that records where every field starts, so
/// tests can truncate at each section boundary and patch a named field (a count, a length, a
/// type id, an offset). Deliberately independent of <see cref="Ponder.Gguf.GgufFile"/>: the code
/// under test must not be the one deciding where its own fields are.
/// </summary>
internal sealed class GgufLayout
{
    public sealed record Field(long Offset, string Label);

    public List<Field> Fields { get; } = [];
    public long TensorCountOffset => 8;
    public long KvCountOffset => 16;
    public long InfosEnd { get; private set; }
    public long DataStart { get; private set; }
    public Dictionary<string, long> KeyAt { get; } = [];          // offset of the key string's length
    public Dictionary<string, long> ValueTypeAt { get; } = [];    // offset of the u32 value type
    public Dictionary<string, long> ValueAt { get; } = [];        // offset of the value
    public List<(string Name, long NameAt, long NDimsAt, long DimsAt, long TypeAt, long OffsetAt, ulong DataOffset)> Tensors { get; } = [];

    private readonly byte[] _b;
    private long _p;

    public GgufLayout(byte[] bytes, int alignment = 32)
    {
        _b = bytes;
        Mark("magic"); _p += 4;
        Mark("version"); _p += 4;
        Mark("tensor count"); ulong nt = U64();
        Mark("kv count"); ulong nkv = U64();
        for (ulong i = 0; i < nkv; i++)
        {
            long keyAt = _p;
            Mark($"key {i}");
            string key = Str();
            KeyAt[key] = keyAt;
            ValueTypeAt[key] = _p;
            Mark($"type of {key}");
            uint t = U32();
            ValueAt[key] = _p;
            Mark($"value of {key}");
            Value(t, key);
            if (key == "general.alignment") alignment = (int)BinaryPrimitives.ReadUInt32LittleEndian(_b.AsSpan((int)ValueAt[key]));
        }
        for (ulong i = 0; i < nt; i++)
        {
            long nameAt = _p;
            Mark($"tensor {i} name");
            string name = Str();
            long ndAt = _p;
            Mark($"tensor {name} n_dims");
            uint nd = U32();
            long dimsAt = _p;
            for (int d = 0; d < nd; d++) { Mark($"tensor {name} dim {d}"); _p += 8; }
            long typeAt = _p;
            Mark($"tensor {name} type"); _p += 4;
            long offAt = _p;
            Mark($"tensor {name} offset");
            ulong off = U64();
            Tensors.Add((name, nameAt, ndAt, dimsAt, typeAt, offAt, off));
        }
        InfosEnd = _p;
        Mark("end of tensor infos");
        DataStart = (_p + alignment - 1) / alignment * alignment;
        if (nt > 0) Mark("data section");
        foreach (var t in Tensors) Fields.Add(new(DataStart + (long)t.DataOffset, $"data of {t.Name}"));
    }

    private void Mark(string label) => Fields.Add(new(_p, label));
    private uint U32() { uint v = BinaryPrimitives.ReadUInt32LittleEndian(_b.AsSpan((int)_p)); _p += 4; return v; }
    private ulong U64() { ulong v = BinaryPrimitives.ReadUInt64LittleEndian(_b.AsSpan((int)_p)); _p += 8; return v; }

    private string Str()
    {
        int n = (int)U64();
        var s = Encoding.UTF8.GetString(_b, (int)_p, n);
        _p += n;
        return s;
    }

    private void Value(uint t, string key)
    {
        switch (t)
        {
            case 0 or 1 or 7: _p += 1; break;
            case 2 or 3: _p += 2; break;
            case 4 or 5 or 6: _p += 4; break;
            case 10 or 11 or 12: _p += 8; break;
            case 8: Str(); break;
            case 9:
                Mark($"element type of {key}");
                uint et = U32();
                Mark($"length of {key}");
                ulong n = U64();
                for (ulong i = 0; i < n; i++)
                {
                    // Every element of short arrays, and the first few of long ones, is a boundary.
                    if (i < 4 || i == n - 1) Mark($"{key}[{i}]");
                    Value(et, key);
                }
                break;
            default: throw new InvalidDataException($"value type {t}");
        }
    }
}
