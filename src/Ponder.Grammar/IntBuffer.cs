using System.Runtime.CompilerServices;

namespace Ponder.Grammars;

/// <summary>A growable int list that exposes its span and never shrinks, so hot loops reuse one allocation.</summary>
sealed class IntBuffer(int capacity = 16)
{
    int[] _items = new int[Math.Max(capacity, 4)];

    public int Count { get; set; }

    public Span<int> Span => _items.AsSpan(0, Count);

    public int this[int i] => _items[i];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int v)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[Count++] = v;
    }

    public void AddRange(ReadOnlySpan<int> values)
    {
        if (Count + values.Length > _items.Length) Array.Resize(ref _items, Math.Max(_items.Length * 2, Count + values.Length));
        values.CopyTo(_items.AsSpan(Count));
        Count += values.Length;
    }

    public void Clear() => Count = 0;
}
