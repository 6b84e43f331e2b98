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
    public int[] EndOfGeneration { get; }

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
