using Ponder.Models;

namespace Ponder.Engine.KvCache;

/// <summary>
/// The KV blocks of one sequence, in position order. Opaque to the scheduler, which only asks
/// how many blocks a step would need and then reserves them. Fork shares every block by
/// refcount; a shared partial block is copied the first time a sequence writes into it
/// (copy-on-write), so forks never see each other's tokens.
/// </summary>
public sealed class KvBlockTable
{
    private readonly List<int> _blocks = new();
    private readonly List<ulong> _hashes = new();
    private int[]? _array;

    /// <summary>Positions [0, Reserved) have a block that this sequence may write.</summary>
    public int Reserved { get; private set; }
    public int BlockCount => _blocks.Count;
    public IReadOnlyList<int> Blocks => _blocks;

    /// <summary>The block ids as an array for the forward pass (cached until the table changes).</summary>
    public int[] AsArray() => _array ??= _blocks.ToArray();

    /// <summary>Blocks that reserving up to <paramref name="to"/> positions would take from the pool.</summary>
    public int BlocksNeeded(KvBlockPool pool, int to)
    {
        int B = pool.BlockTokens;
        int need = Math.Max(0, (to + B - 1) / B - _blocks.Count);
        if (to > Reserved && Reserved % B != 0 && pool.RefCount(_blocks[^1]) > 1) need++;
        return need;
    }

    /// <summary>Makes positions [Reserved, to) writable: copies a shared partial last block and
    /// appends new blocks. Call only after <see cref="BlocksNeeded"/> fit in
    /// <see cref="KvBlockPool.Available"/>; returns false (and changes nothing) otherwise.</summary>
    public bool TryReserve(KvBlockPool pool, KvArena arena, int to)
    {
        if (to <= Reserved) return true;
        if (BlocksNeeded(pool, to) > pool.Available) return false;
        int B = pool.BlockTokens;
        if (Reserved % B != 0 && pool.RefCount(_blocks[^1]) > 1)
        {
            int shared = _blocks[^1];
            pool.TryAllocate(out int copy);
            arena.CopyBlock(shared, copy, Reserved % B);
            pool.Release(shared);
            _blocks[^1] = copy;
        }
        while (_blocks.Count * B < to)
        {
            pool.TryAllocate(out int b);
            _blocks.Add(b);
        }
        Reserved = to;
        _array = null;
        return true;
    }

    /// <summary>Starts the table with blocks found in the prefix cache (already retained).</summary>
    public void AdoptCached(IReadOnlyList<int> blocks, IReadOnlyList<ulong> hashes, int blockTokens)
    {
        if (_blocks.Count != 0) throw new InvalidOperationException("cached blocks can only start an empty table");
        _blocks.AddRange(blocks);
        _hashes.AddRange(hashes);
        Reserved = blocks.Count * blockTokens;
        _array = null;
    }

    /// <summary>Indexes every block that became full of computed tokens, chaining hashes.</summary>
    public void RegisterFullBlocks(KvBlockPool pool, ReadOnlySpan<int> tokens, int computed)
    {
        int B = pool.BlockTokens;
        while (_hashes.Count < computed / B)
        {
            int i = _hashes.Count;
            ulong parent = i == 0 ? BlockHash.Root : _hashes[i - 1];
            ulong h = BlockHash.Of(parent, tokens.Slice(i * B, B));
            _hashes.Add(h);
            pool.Register(_blocks[i], h);
        }
    }

    /// <summary>A new table sharing every block of this one.</summary>
    public KvBlockTable Fork(KvBlockPool pool)
    {
        var t = new KvBlockTable();
        foreach (int b in _blocks) pool.Retain(b);
        t._blocks.AddRange(_blocks);
        t._hashes.AddRange(_hashes);
        t.Reserved = Reserved;
        return t;
    }

    /// <summary>Gives every block back (finish, cancel or preemption).</summary>
    public void Release(KvBlockPool pool)
    {
        foreach (int b in _blocks) pool.Release(b);
        _blocks.Clear();
        _hashes.Clear();
        Reserved = 0;
        _array = null;
    }
}
