namespace Ponder.Engine.KvCache;

/// <summary>Counters of a block pool, for benchmarks, metrics and tests.</summary>
public readonly record struct KvPoolStats(int Total, int Used, int Cached, int Free, long Hits, long Misses, long Evictions);

/// <summary>
/// Ownership of the KV arena's blocks: reference counts, a free list, and the prefix index.
/// A block is in exactly one state: free, used (refcount &gt; 0), or cached (refcount 0 but still
/// indexed by its content hash, reusable by a later request until evicted in LRU order).
/// Running out is reported as a failed <see cref="TryAllocate"/>, never an exception: the
/// scheduler decides whom to preempt (vLLM v1's block_pool.py has the same shape).
/// Not thread-safe: only the engine loop touches it.
/// </summary>
public sealed class KvBlockPool
{
    private readonly int[] _refs;
    private readonly ulong[] _hash;
    private readonly bool[] _hashed;
    private readonly Stack<int> _free = new();
    private readonly Dictionary<ulong, int> _index = new();
    // LRU of cached blocks: a linked list with a node per block so removal is O(1).
    private readonly LinkedList<int> _lru = new();
    private readonly LinkedListNode<int>?[] _lruNode;
    private long _hits, _misses, _evictions;

    public int BlockTokens { get; }
    public int Count => _refs.Length;

    public KvBlockPool(int blocks, int blockTokens)
    {
        if (blocks < 1) throw new ArgumentException($"a KV block pool needs at least one block, got {blocks}");
        BlockTokens = blockTokens;
        _refs = new int[blocks];
        _hash = new ulong[blocks];
        _hashed = new bool[blocks];
        _lruNode = new LinkedListNode<int>?[blocks];
        for (int b = blocks - 1; b >= 0; b--) _free.Push(b);
    }

    public KvPoolStats Stats
    {
        get
        {
            int used = 0;
            foreach (int r in _refs) if (r > 0) used++;
            return new KvPoolStats(Count, used, _lru.Count, _free.Count, _hits, _misses, _evictions);
        }
    }

    /// <summary>Blocks that an allocation could obtain now (free or evictable).</summary>
    public int Available => _free.Count + _lru.Count;

    public int RefCount(int block) => _refs[block];

    /// <summary>Takes a block with refcount 1: a free one, else the least recently used cached one.</summary>
    public bool TryAllocate(out int block)
    {
        if (_free.Count > 0) block = _free.Pop();
        else if (_lru.First is { } oldest)
        {
            block = oldest.Value;
            RemoveFromLru(block);
            _index.Remove(_hash[block]);
            _hashed[block] = false;
            _evictions++;
        }
        else
        {
            block = -1;
            return false;
        }
        _refs[block] = 1;
        return true;
    }

    public void Retain(int block)
    {
        if (_refs[block] == 0)
        {
            if (_lruNode[block] == null) throw new InvalidOperationException($"block {block} is free; it cannot be retained");
            RemoveFromLru(block);
        }
        _refs[block]++;
    }

    /// <summary>Drops one reference; at zero the block becomes cached (if hashed) or free.</summary>
    public void Release(int block)
    {
        if (_refs[block] <= 0) throw new InvalidOperationException($"block {block} released more often than retained");
        if (--_refs[block] > 0) return;
        if (_hashed[block]) _lruNode[block] = _lru.AddLast(block);
        else _free.Push(block);
    }

    /// <summary>Indexes a full block under its chained content hash so later prompts can reuse it.
    /// If another block already holds that content, this one stays unindexed.</summary>
    public void Register(int block, ulong hash)
    {
        if (_hashed[block] || _index.ContainsKey(hash)) return;
        _index[hash] = block;
        _hash[block] = hash;
        _hashed[block] = true;
    }

    /// <summary>The block holding content <paramref name="hash"/>, retained for the caller, or false.</summary>
    public bool TryReuse(ulong hash, out int block)
    {
        if (_index.TryGetValue(hash, out block))
        {
            Retain(block);
            _hits++;
            return true;
        }
        _misses++;
        return false;
    }

    public bool IsIndexed(int block) => _hashed[block];

    /// <summary>Drops every cached (unreferenced) block from the index: the prefix cache is emptied.</summary>
    public void ClearCache()
    {
        while (_lru.First is { } n)
        {
            int b = n.Value;
            RemoveFromLru(b);
            _index.Remove(_hash[b]);
            _hashed[b] = false;
            _free.Push(b);
        }
    }

    /// <summary>Checks the state invariants; used by property tests after every step.</summary>
    public void CheckInvariants()
    {
        var seen = new bool[Count];
        foreach (int b in _free)
        {
            if (seen[b]) throw new InvalidOperationException($"block {b} is twice in the free list");
            if (_refs[b] != 0 || _hashed[b]) throw new InvalidOperationException($"block {b} is free but owned or indexed");
            seen[b] = true;
        }
        foreach (int b in _lru)
        {
            if (seen[b]) throw new InvalidOperationException($"block {b} is both free and cached");
            if (_refs[b] != 0 || !_hashed[b]) throw new InvalidOperationException($"cached block {b} is owned or not indexed");
            seen[b] = true;
        }
        for (int b = 0; b < Count; b++)
        {
            if (_refs[b] < 0) throw new InvalidOperationException($"block {b} has refcount {_refs[b]}");
            if (_refs[b] > 0 && seen[b]) throw new InvalidOperationException($"block {b} is owned and free");
            if (_refs[b] == 0 && !seen[b]) throw new InvalidOperationException($"block {b} is unowned but neither free nor cached");
        }
        foreach (var (h, b) in _index)
            if (!_hashed[b] || _hash[b] != h) throw new InvalidOperationException($"index entry for block {b} is stale");
    }

    void RemoveFromLru(int block)
    {
        _lru.Remove(_lruNode[block]!);
        _lruNode[block] = null;
    }
}
