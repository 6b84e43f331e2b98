using System.Globalization;

namespace Ponder.Gguf;

/// <summary>A GGUF metadata value. Scalars are stored as their .NET type (byte, sbyte, ushort,
/// short, uint, int, float, bool, string, ulong, long, double); arrays as typed .NET arrays
/// (string[] for strings, object[] for arrays of arrays, whose elements are again typed arrays).
/// Every GGUF type maps to a distinct .NET type, so an array of arrays needs no extra tags: the
/// element type of an inner array is that of its .NET array type (<see cref="TypeOfArray"/>).</summary>
public sealed record GgufValue(GgufValueType Type, object Value, GgufValueType ElementType = GgufValueType.UInt8)
{
    public bool IsArray => Type == GgufValueType.Array;

    public override string ToString()
    {
        if (Value is string s) return s.Length > 80 ? $"\"{s[..77]}...\"" : $"\"{s}\"";
        if (Value is Array a) return $"[{ElementType} × {a.Length}]";
        return Convert.ToString(Value, CultureInfo.InvariantCulture) ?? "";
    }

    public static GgufValue U8(byte v) => new(GgufValueType.UInt8, v);
    public static GgufValue I8(sbyte v) => new(GgufValueType.Int8, v);
    public static GgufValue U16(ushort v) => new(GgufValueType.UInt16, v);
    public static GgufValue I16(short v) => new(GgufValueType.Int16, v);
    public static GgufValue U32(uint v) => new(GgufValueType.UInt32, v);
    public static GgufValue I32(int v) => new(GgufValueType.Int32, v);
    public static GgufValue F32(float v) => new(GgufValueType.Float32, v);
    public static GgufValue Bool(bool v) => new(GgufValueType.Bool, v);
    public static GgufValue Str(string v) => new(GgufValueType.String, v);
    public static GgufValue U64(ulong v) => new(GgufValueType.UInt64, v);
    public static GgufValue I64(long v) => new(GgufValueType.Int64, v);
    public static GgufValue F64(double v) => new(GgufValueType.Float64, v);

    /// <summary>An array value; the element type follows from the .NET array type
    /// (byte[] → UInt8, string[] → String, object[] of arrays → Array, …).</summary>
    public static GgufValue Arr(Array items) => new(GgufValueType.Array, items, TypeOfArray(items));

    /// <summary>The GGUF type a .NET scalar is stored as, or null for a type GGUF has no slot for.</summary>
    public static GgufValueType? TypeOfScalar(object v) => v switch
    {
        byte => GgufValueType.UInt8,
        sbyte => GgufValueType.Int8,
        ushort => GgufValueType.UInt16,
        short => GgufValueType.Int16,
        uint => GgufValueType.UInt32,
        int => GgufValueType.Int32,
        float => GgufValueType.Float32,
        bool => GgufValueType.Bool,
        string => GgufValueType.String,
        ulong => GgufValueType.UInt64,
        long => GgufValueType.Int64,
        double => GgufValueType.Float64,
        Array => GgufValueType.Array,
        _ => null,
    };

    /// <summary>The GGUF element type of a .NET array as the reader builds it. Compared by exact type:
    /// the CLR lets an sbyte[] pass as byte[] (and int[] as uint[], …), so a type pattern would lie.</summary>
    public static GgufValueType TypeOfArray(Array a)
    {
        var t = a.GetType();
        if (t == typeof(byte[])) return GgufValueType.UInt8;
        if (t == typeof(sbyte[])) return GgufValueType.Int8;
        if (t == typeof(ushort[])) return GgufValueType.UInt16;
        if (t == typeof(short[])) return GgufValueType.Int16;
        if (t == typeof(uint[])) return GgufValueType.UInt32;
        if (t == typeof(int[])) return GgufValueType.Int32;
        if (t == typeof(float[])) return GgufValueType.Float32;
        if (t == typeof(bool[])) return GgufValueType.Bool;
        if (t == typeof(string[])) return GgufValueType.String;
        if (t == typeof(ulong[])) return GgufValueType.UInt64;
        if (t == typeof(long[])) return GgufValueType.Int64;
        if (t == typeof(double[])) return GgufValueType.Float64;
        if (t == typeof(object[])) return GgufValueType.Array;
        throw new ArgumentException($"a {t.Name} cannot be stored in GGUF metadata");
    }
}
