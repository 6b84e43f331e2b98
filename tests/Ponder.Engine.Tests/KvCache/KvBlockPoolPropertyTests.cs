using FsCheck.Xunit;
using Ponder.Engine.KvCache;
using Ponder.Models;

namespace Ponder.Engine.Tests.KvCache;

/// <summary>
/// Random interleavings of the cache operations the engine performs (reserve with copy-on-write,
/// fork, prefix reuse, release, eviction through allocation pressure), with the pool's invariants
/// checked after every operation: no negative refcount, no block both free and owned, every
/// unowned block free or cached, index entries fresh; and nothing held once every table is released.
/// </summary>
public class KvBlockPoolPropertyTests
{
    static readonly ModelConfig Shape = new()
    {
        Architecture = "llama", VocabSize = 16, EmbeddingSize = 8, LayerCount = 1, HeadCount = 1, KvHeadCount = 1,
        HeadDim = 8, FeedForwardSize = 8, ContextLength = 4096, RopeFreqBase = 10000, RopeDims = 8, RmsEps = 1e-5f,
        Rope = RopeStyle.Adjacent,
    };

    sealed class Seq
    {
        public KvBlockTable Table = new();
        public List<int> Tokens = new();
    }

    [Property(MaxTest = 300)]
    public void Invariants_hold_after_every_operation(int[] script, byte blocks)
    {
        const int B = 4;
        int count = 4 + blocks % 28;
        using var arena = new KvArena(Shape, B, count);
        var pool = new KvBlockPool(count, B);
        var seqs = new List<Seq>();
        var rng = new Random(script.Length == 0 ? 0 : script[0]);
        foreach (int op in script)
        {
            int kind = (op & 0x7FFFFFFF) % 5;
            switch (kind)
            {
                case 0: // new sequence, maybe reusing a cached prefix of a shared token pattern
                {
                    var s = new Seq();
                    int len = 1 + rng.Next(12);
                    for (int i = 0; i < len; i++) s.Tokens.Add(rng.Next(2)); // few symbols: prefixes collide often
                    var hashes = BlockHash.Chain(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(s.Tokens)[..^1], B);
                    var got = new List<int>();
                    var matched = new List<ulong>();
                    foreach (var h in hashes)
                    {
                        if (!pool.TryReuse(h, out int b)) break;
                        got.Add(b);
                        matched.Add(h);
                    }
                    s.Table.AdoptCached(got, matched, B);
                    if (s.Table.TryReserve(pool, arena, s.Tokens.Count))
                    {
                        s.Table.RegisterFullBlocks(pool, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(s.Tokens), s.Tokens.Count);
                        seqs.Add(s);
                    }
                    else s.Table.Release(pool); // out of blocks: the engine would wait; nothing may leak
                    break;
                }
                case 1 when seqs.Count > 0: // decode: one more token, copy-on-write if shared
                {
                    var s = seqs[rng.Next(seqs.Count)];
                    s.Tokens.Add(rng.Next(2));
                    if (s.Table.TryReserve(pool, arena, s.Tokens.Count))
                        s.Table.RegisterFullBlocks(pool, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(s.Tokens), s.Tokens.Count);
                    else s.Tokens.RemoveAt(s.Tokens.Count - 1);
                    break;
                }
                case 2 when seqs.Count > 0: // fork
                {
                    var s = seqs[rng.Next(seqs.Count)];
                    seqs.Add(new Seq { Table = s.Table.Fork(pool), Tokens = new List<int>(s.Tokens) });
                    break;
                }
                case 3 when seqs.Count > 0: // finish or cancel
                {
                    int i = rng.Next(seqs.Count);
                    seqs[i].Table.Release(pool);
                    seqs.RemoveAt(i);
                    break;
                }
                case 4: // eviction pressure: take every available block, then give them back
                {
                    var taken = new List<int>();
                    while (pool.TryAllocate(out int b)) taken.Add(b);
                    foreach (int b in taken) pool.Release(b);
                    break;
                }
            }
            pool.CheckInvariants();
            foreach (var s in seqs)
                foreach (int b in s.Table.Blocks)
                    if (pool.RefCount(b) <= 0) throw new InvalidOperationException($"a live table holds block {b} with refcount {pool.RefCount(b)}");
        }
        foreach (var s in seqs) s.Table.Release(pool);
        pool.CheckInvariants();
        Assert.Equal(0, pool.Stats.Used);
    }

    [Fact]
    public void Eviction_takes_the_least_recently_released_cached_block()
    {
        var pool = new KvBlockPool(3, 4);
        int[] b = new int[3];
        for (int i = 0; i < 3; i++)
        {
            Assert.True(pool.TryAllocate(out b[i]));
            pool.Register(b[i], (ulong)(100 + i));
        }
        pool.Release(b[1]);
        pool.Release(b[0]);
        pool.Release(b[2]);
        Assert.True(pool.TryAllocate(out int first));
        Assert.Equal(b[1], first);
        Assert.False(pool.TryReuse(101, out _));
        Assert.True(pool.TryReuse(100, out int again));
        Assert.Equal(b[0], again);
        Assert.Equal(1, pool.Stats.Evictions);
        Assert.Equal(1, pool.Stats.Hits);
    }
}
