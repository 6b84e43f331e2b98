namespace Ponder.Grammars;

/// <summary>
/// The context-dependent tokens a stack set accepted, remembered per set. Stacks are hash-consed in an arena that
/// never forgets a node a matcher state holds, so a set of node ids always means the same stacks, and the walk
/// that checks the context-dependent tokens against them always gives the same tokens. Generation revisits sets
/// all the time (every character of an unbounded string leaves the same set), so most fills replay a short list
/// instead of walking. Keys and token ids live in two flat buffers, so a steady state allocates nothing; the
/// cache is dropped whole when it reaches its bounds.
/// </summary>
sealed class StackSetMaskCache
{
    const int MaxSets = 4096;
    const int MaxInts = 1 << 20;

    readonly Dictionary<ulong, int> _slotOfHash = new();
    readonly IntBuffer _data = new(1024);             // per set: its node ids, then its accepted token ids
    readonly List<(int Start, int Nodes, int Tokens)> _slots = [];

    public static ulong Hash(ReadOnlySpan<int> nodes)
    {
        var h = 14695981039346656037UL;
        foreach (var n in nodes) h = (h ^ (uint)n) * 1099511628211UL;
        return h ^ (ulong)nodes.Length;
    }

    /// <summary>The token ids cached for <paramref name="nodes"/>; false when the set was not seen (or its hash
    /// was taken by another set, which then keeps the slot).</summary>
    public bool TryGet(ulong hash, ReadOnlySpan<int> nodes, out ReadOnlySpan<int> tokens)
    {
        tokens = default;
        if (!_slotOfHash.TryGetValue(hash, out var slot)) return false;
        var (start, n, t) = _slots[slot];
        var data = _data.Span;
        if (!data.Slice(start, n).SequenceEqual(nodes)) return false;
        tokens = data.Slice(start + n, t);
        return true;
    }

    /// <summary>Starts recording the tokens of <paramref name="nodes"/>: add them with <see cref="AddToken"/>, then
    /// <see cref="Commit"/>. Returns false (record nothing) when the hash is taken or the cache had to be dropped.</summary>
    public bool Begin(ulong hash, ReadOnlySpan<int> nodes)
    {
        if (_slotOfHash.ContainsKey(hash)) return false;
        if (_slots.Count >= MaxSets || _data.Count + nodes.Length > MaxInts) Clear();
        _pendingStart = _data.Count;
        _data.AddRange(nodes);
        _pendingNodes = nodes.Length;
        return true;
    }

    public void AddToken(int id) => _data.Add(id);

    public void Commit(ulong hash)
    {
        _slotOfHash.Add(hash, _slots.Count);
        _slots.Add((_pendingStart, _pendingNodes, _data.Count - _pendingStart - _pendingNodes));
    }

    int _pendingStart, _pendingNodes;

    public void Clear()
    {
        _slotOfHash.Clear();
        _slots.Clear();
        _data.Clear();
    }
}
