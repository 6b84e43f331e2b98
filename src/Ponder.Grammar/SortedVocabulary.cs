using System.Runtime.CompilerServices;
using Ponder.Tokenizers;

namespace Ponder.Grammars;

/// <summary>A tokenizer's byte-level vocabulary sorted by bytes, with the common-prefix length of neighbours, so the
/// mask precompute walks it as a trie (a shared prefix is stepped once). Tokens a grammar can never produce are left
/// out: control and unknown tokens, tokens with no bytes, and the end-of-generation tokens (handled apart).
/// Built once per tokenizer and shared by every grammar compiled for it.</summary>
sealed class SortedVocabulary
{
    static readonly ConditionalWeakTable<Tokenizer, SortedVocabulary> Cache = new();

    SortedVocabulary(Tokenizer tok)
    {
        VocabSize = tok.VocabSize;
        LengthOf = new int[VocabSize];
        var eog = new List<int>();
        var ids = new List<int>(VocabSize);
        var pieces = new byte[VocabSize][];
        for (var id = 0; id < VocabSize; id++)
        {
            if (tok.IsEndOfGeneration(id) || id == tok.EosId)
            {
                eog.Add(id);
                continue;
            }
            var attrs = tok.GetAttributes(id);
            if ((attrs & (TokenAttributes.Control | TokenAttributes.Unknown | TokenAttributes.Unused)) != 0) continue;
            var bytes = tok.TokenBytes(id);
            if (bytes.Length == 0) continue;
            pieces[id] = bytes;
            ids.Add(id);
            LengthOf[id] = bytes.Length;
        }
        ids.Sort((a, b) => pieces[a].AsSpan().SequenceCompareTo(pieces[b]));
        Order = ids.ToArray();
        Start = new int[Order.Length + 1];
        Lcp = new int[Order.Length];
        var total = 0;
        foreach (var id in Order) total += pieces[id].Length;
        Bytes = new byte[total];
        FirstByteStart = new int[257];
        var at = 0;
        for (var i = 0; i < Order.Length; i++)
        {
            var p = pieces[Order[i]];
            Start[i] = at;
            p.CopyTo(Bytes, at);
            at += p.Length;
            Lcp[i] = i == 0 ? 0 : pieces[Order[i - 1]].AsSpan().CommonPrefixLength(p);
            MaxLength = Math.Max(MaxLength, p.Length);
        }
        Start[Order.Length] = at;
        // FirstByteStart[b]..FirstByteStart[b+1] are the sorted tokens that start with byte b.
        var idx = 0;
        for (var b = 0; b < 256; b++)
        {
            FirstByteStart[b] = idx;
            while (idx < Order.Length && Bytes[Start[idx]] == b) idx++;
        }
        FirstByteStart[256] = Order.Length;
        EndOfGeneration = eog.ToArray();

        _longer = new (int[], int[])[LongThresholds.Length];
        // Every length's bitset up front, each from the one before (2.5 MB for Qwen). Made on demand instead, each
        // length cost a pass over the whole vocabulary inside a process's first compiles.
        _shortBits = new uint[MaxLength + 1][];
        var byLength = new List<int>[MaxLength + 1];
        for (var l = 0; l <= MaxLength; l++) byLength[l] = [];
        for (var id = 0; id < VocabSize; id++) byLength[LengthOf[id]].Add(id);
        var bits = new uint[(VocabSize + 31) >> 5];
        for (var l = 0; l <= MaxLength; l++)
        {
            foreach (var id in byLength[l]) bits[id >> 5] |= 1u << (id & 31);
            _shortBits[l] = (uint[])bits.Clone();
        }
        var list = new List<int>();
        var lcp = new List<int>();
        for (var k = 0; k < LongThresholds.Length; k++)
        {
            var t = LongThresholds[k];
            list.Clear();
            lcp.Clear();
            var run = 0;
            for (var i = 0; i < Order.Length; i++)
            {
                run = list.Count == 0 ? 0 : Math.Min(run, Lcp[i]);
                if (Start[i + 1] - Start[i] <= t) continue;
                list.Add(i);
                lcp.Add(run);
                run = int.MaxValue;
            }
            _longer[k] = (list.ToArray(), lcp.ToArray());
        }
    }

    // Walking only tokens longer than some length is how similar positions share work (TokenMaskCache); these
    // lists spare that walk a pass over the whole vocabulary when the length is large.
    static readonly int[] LongThresholds = [0, 2, 4, 8, 16, 32, 64];
    readonly (int[] Index, int[] Lcp)[] _longer;
    readonly uint[][] _shortBits;

    /// <summary>Bitset (by token id) of the tokens of at most <paramref name="length"/> bytes.</summary>
    public uint[] ShortTokens(int length) => _shortBits[Math.Clamp(length, 0, MaxLength)];

    /// <summary>Ascending sorted indices that include every token longer than <paramref name="length"/> bytes
    /// (and possibly some shorter ones), with each one's common prefix length with the previous in the list.</summary>
    public (int[] Index, int[] Lcp) LongerThan(int length)
    {
        var k = LongThresholds.Length - 1;
        while (LongThresholds[k] > length) k--;
        return _longer[k];
    }

    public static SortedVocabulary For(Tokenizer tokenizer) => Cache.GetValue(tokenizer, t => new SortedVocabulary(t));

    public int VocabSize { get; }

    /// <summary>Token ids in byte order.</summary>
    public int[] Order { get; }

    /// <summary>Bytes of the i-th sorted token: <c>Bytes[Start[i]..Start[i+1]]</c>.</summary>
    public byte[] Bytes { get; }
    public int[] Start { get; }

    /// <summary>Common prefix length of sorted token i with token i-1 (0 for the first).</summary>
    public int[] Lcp { get; }

    public int[] FirstByteStart { get; }
    public int MaxLength { get; }

    /// <summary>Byte length of each token id (0 for tokens left out).</summary>
    public int[] LengthOf { get; }
    public int[] EndOfGeneration { get; }

    /// <summary>Adds to <paramref name="into"/> the sorted index of every token that is a prefix of
    /// <paramref name="text"/>, shortest first. The tokens starting with a given prefix are one block of the sorted
    /// order, so each longer prefix narrows the block by binary search: a few dozen comparisons where scanning
    /// every token with the first byte (tens of thousands for a space) cost hundreds of microseconds.</summary>
    public void PrefixTokens(ReadOnlySpan<byte> text, IntBuffer into)
    {
        int lo = 0, hi = Order.Length;
        for (var len = 1; len <= Math.Min(text.Length, MaxLength); len++)
        {
            var prefix = text[..len];
            // First token not below the prefix; the block of tokens starting with it begins there.
            int a = lo, b = hi;
            while (a < b)
            {
                var mid = (a + b) >>> 1;
                if (TokenAt(mid).SequenceCompareTo(prefix) < 0) a = mid + 1;
                else b = mid;
            }
            if (a == hi || !TokenAt(a).StartsWith(prefix)) return;
            lo = a;
            b = hi;
            while (a < b)
            {
                var mid = (a + b) >>> 1;
                if (TokenAt(mid).StartsWith(prefix)) a = mid + 1;
                else b = mid;
            }
            hi = a;
            if (Start[lo + 1] - Start[lo] == len) into.Add(lo); // the token equal to the prefix sorts first in its block
        }
    }

    public ReadOnlySpan<byte> TokenAt(int sortedIndex) => Bytes.AsSpan(Start[sortedIndex], Start[sortedIndex + 1] - Start[sortedIndex]);

    /// <summary>Sorted position of each token id, or -1 for tokens left out.</summary>
    public int[] SortedIndexOf
    {
        get
        {
            if (_sortedIndexOf != null) return _sortedIndexOf;
            var map = new int[VocabSize];
            Array.Fill(map, -1);
            for (var i = 0; i < Order.Length; i++) map[Order[i]] = i;
            return _sortedIndexOf = map;
        }
    }

    int[]? _sortedIndexOf;
}
