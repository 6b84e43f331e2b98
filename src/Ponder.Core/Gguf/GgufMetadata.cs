using System.Globalization;

namespace Ponder.Gguf;

/// <summary>Typed access to a GGUF file's key/value metadata, with errors that name the key.</summary>
public sealed class GgufMetadata
{
    private readonly Dictionary<string, GgufValue> _values;
    private readonly List<string> _order;

    public GgufMetadata(List<KeyValuePair<string, GgufValue>> entries)
    {
        _values = new Dictionary<string, GgufValue>(entries.Count, StringComparer.Ordinal);
        _order = new List<string>(entries.Count);
        foreach (var (k, v) in entries)
        {
            if (_values.TryAdd(k, v)) _order.Add(k);
            else throw new GgufFormatException($"metadata key '{k}' appears twice");
        }
    }

    public IReadOnlyList<string> Keys => _order;
    public int Count => _order.Count;
    public bool Contains(string key) => _values.ContainsKey(key);
    public bool TryGet(string key, out GgufValue value) => _values.TryGetValue(key, out value!);

    public GgufValue this[string key] =>
        _values.TryGetValue(key, out var v) ? v : throw new GgufFormatException($"metadata key '{key}' is missing");

    public string GetString(string key) =>
        this[key].Value as string ?? throw WrongType(key, "a string");

    public string? GetStringOrNull(string key) =>
        _values.TryGetValue(key, out var v) ? v.Value as string ?? throw WrongType(key, "a string") : null;

    /// <summary>Any integer type, range-checked into a long.</summary>
    public long GetInteger(string key) => ToInteger(key, this[key]);

    public long GetInteger(string key, long fallback) =>
        _values.TryGetValue(key, out var v) ? ToInteger(key, v) : fallback;

    public long? GetIntegerOrNull(string key) =>
        _values.TryGetValue(key, out var v) ? ToInteger(key, v) : null;

    public int GetInt32(string key) => checked((int)GetInteger(key));

    public int GetInt32(string key, int fallback) =>
        _values.ContainsKey(key) ? checked((int)GetInteger(key)) : fallback;

    public double GetFloat(string key, double fallback) =>
        _values.TryGetValue(key, out var v) ? ToFloat(key, v) : fallback;

    public double GetFloat(string key) => ToFloat(key, this[key]);

    public bool GetBool(string key, bool fallback) =>
        _values.TryGetValue(key, out var v) ? v.Value as bool? ?? throw WrongType(key, "a bool") : fallback;

    /// <summary>An array value as T[] (the stored element type must be T exactly).</summary>
    public T[]? GetArrayOrNull<T>(string key)
    {
        if (!_values.TryGetValue(key, out var v)) return null;
        return v.Value as T[] ?? throw WrongType(key, $"an array of {typeof(T).Name}");
    }

    /// <summary>An integer array of any integer element type, widened to int.</summary>
    public int[]? GetInt32ArrayOrNull(string key)
    {
        if (!_values.TryGetValue(key, out var v)) return null;
        if (v.Value is int[] ints) return ints;
        if (v.Value is Array a && v.Type == GgufValueType.Array && v.ElementType is not (GgufValueType.String
                or GgufValueType.Array or GgufValueType.Float32 or GgufValueType.Float64 or GgufValueType.Bool))
        {
            var r = new int[a.Length];
            for (int i = 0; i < r.Length; i++) r[i] = checked((int)Convert.ToInt64(a.GetValue(i), CultureInfo.InvariantCulture));
            return r;
        }
        throw WrongType(key, "an array of integers");
    }

    public float[]? GetFloatArrayOrNull(string key)
    {
        if (!_values.TryGetValue(key, out var v)) return null;
        if (v.Value is float[] f) return f;
        if (v.Value is double[] d) return Array.ConvertAll(d, x => (float)x);
        throw WrongType(key, "an array of floats");
    }

    private long ToInteger(string key, GgufValue v) => v.Value switch
    {
        byte b => b, sbyte sb => sb, ushort us => us, short s => s, uint ui => ui, int i => i, long l => l,
        ulong ul when ul <= long.MaxValue => (long)ul,
        _ => throw WrongType(key, "an integer"),
    };

    private double ToFloat(string key, GgufValue v) => v.Value switch
    {
        float f => f, double d => d,
        byte or sbyte or ushort or short or uint or int or long => ToInteger(key, v),
        _ => throw WrongType(key, "a number"),
    };

    private GgufFormatException WrongType(string key, string want) =>
        new($"metadata key '{key}' should be {want} but is {_values[key].Type}" +
            (_values[key].IsArray ? $" of {_values[key].ElementType}" : ""));
}
