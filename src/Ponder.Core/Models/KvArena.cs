using System.Runtime.InteropServices;

namespace Ponder.Models;

/// <summary>
/// Native memory for the KV cache, cut into fixed-size blocks of <see cref="BlockTokens"/> token
/// slots. One block holds every layer's K and V rows for its slots
/// (layout [layer][K|V][slot][kvDim], F16 as llama.cpp's default cache), so a sequence is just a
/// table of block ids and fork/prefix sharing are table operations. Who owns which block is the
/// business of the cache manager above; this class is only addressing.
/// </summary>
public sealed unsafe class KvArena : IDisposable
{
    private Half* _base;

    public int BlockTokens { get; }
    public int BlockCount { get; }
    public int Layers { get; }
    public int KvDim { get; }
    public long BlockBytes { get; }

    public KvArena(ModelConfig c, int blockTokens, int blockCount)
    {
        if (blockTokens < 1 || blockCount < 1) throw new ArgumentException($"KV arena needs positive sizes, got {blockCount} blocks of {blockTokens}");
        BlockTokens = blockTokens;
        BlockCount = blockCount;
        Layers = c.LayerCount;
        KvDim = c.KvDim;
        BlockBytes = BytesPerBlock(c, blockTokens);
        _base = (Half*)NativeMemory.Alloc((nuint)(BlockBytes * blockCount));
    }

    public static long BytesPerBlock(ModelConfig c, int blockTokens) => 2L * c.LayerCount * blockTokens * c.KvDim * sizeof(Half);

    public long TotalBytes => BlockBytes * BlockCount;

    public Half* K(int block, int layer, int slot) =>
        _base + (block * BlockBytes / sizeof(Half)) + ((long)(layer * 2) * BlockTokens + slot) * KvDim;

    public Half* V(int block, int layer, int slot) =>
        _base + (block * BlockBytes / sizeof(Half)) + ((long)(layer * 2 + 1) * BlockTokens + slot) * KvDim;

    /// <summary>Copies the first <paramref name="slots"/> slots of every layer (copy-on-write of a partial block).</summary>
    public void CopyBlock(int src, int dst, int slots)
    {
        for (int l = 0; l < Layers; l++)
        {
            long n = (long)slots * KvDim * sizeof(Half);
            Buffer.MemoryCopy(K(src, l, 0), K(dst, l, 0), n, n);
            Buffer.MemoryCopy(V(src, l, 0), V(dst, l, 0), n, n);
        }
    }

    public void Dispose()
    {
        if (_base != null) NativeMemory.Free(_base);
        _base = null;
    }
}
