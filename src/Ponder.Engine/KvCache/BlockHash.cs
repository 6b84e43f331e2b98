using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace Ponder.Engine.KvCache;

/// <summary>
/// Content hash of a full KV block: XxHash3 over the parent block's hash and this block's token
/// ids, so equal hashes mean equal whole prefixes, not just equal blocks (vLLM's chained block
/// hashing). A 64-bit collision would silently reuse the wrong KV; at 2⁻⁶⁴ per pair that is
/// accepted, as vLLM and SGLang accept it.
/// </summary>
public static class BlockHash
{
    public const ulong Root = 0x9E3779B97F4A7C15;

    public static ulong Of(ulong parent, ReadOnlySpan<int> tokens)
    {
        var h = new XxHash3((long)parent);
        h.Append(MemoryMarshal.AsBytes(tokens));
        return h.GetCurrentHashAsUInt64();
    }

    /// <summary>Hashes of every full block of <paramref name="tokens"/>, each chained to the one before.</summary>
    public static ulong[] Chain(ReadOnlySpan<int> tokens, int blockTokens)
    {
        var r = new ulong[tokens.Length / blockTokens];
        ulong parent = Root;
        for (int i = 0; i < r.Length; i++) parent = r[i] = Of(parent, tokens.Slice(i * blockTokens, blockTokens));
        return r;
    }
}
