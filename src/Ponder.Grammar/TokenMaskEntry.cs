using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ponder.Grammars;

/// <summary>The cached mask of one automaton position (a state that can be on top of a stack), as in XGrammar's
/// adaptive token-mask cache: the tokens accepted whatever the rest of the stack is, stored in whichever of
/// accepted list, rejected list (complement) or bitset is smallest, plus the context-dependent tokens that must be
/// checked against the real stack at run time.</summary>
sealed class TokenMaskEntry
{
    public enum Storage : byte { AcceptedList, RejectedList, Bitset }

    public required Storage Kind { get; init; }
    /// <summary>Accepted token ids (<see cref="Storage.AcceptedList"/>) or every id not accepted
    /// (<see cref="Storage.RejectedList"/>).</summary>
    public required int[] Ids { get; init; }
    public required uint[] Bits { get; init; }
    /// <summary>Context-dependent tokens as ascending sorted-vocabulary indices, so they can be walked as a trie.</summary>
    public required int[] Uncertain { get; init; }
    /// <summary>Common prefix length of each uncertain token with the previous one.</summary>
    public required int[] UncertainLcp { get; init; }
    public required int AcceptedCount { get; init; }

    /// <summary>The entry for the accepted tokens in <paramref name="accepted"/> (a bitset by token id, left as it
    /// was) and the context-dependent ones in <paramref name="uncertain"/> (ascending sorted-vocabulary indices).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static TokenMaskEntry Create(ReadOnlySpan<uint> accepted, List<int> uncertain, SortedVocabulary vocab)
    {
        var v = vocab.VocabSize;
        var words = (v + 31) >> 5;
        var lcp = new int[uncertain.Count];
        for (var i = 1; i < uncertain.Count; i++)
            lcp[i] = vocab.TokenAt(uncertain[i - 1]).CommonPrefixLength(vocab.TokenAt(uncertain[i]));
        accepted = accepted[..words];
        var a = 0;
        foreach (var w in accepted) a += BitOperations.PopCount(w);
        Storage kind;
        int[] ids = [];
        uint[] bits = [];
        if (a <= words && a <= v - a)
        {
            kind = Storage.AcceptedList;
            ids = new int[a];
            var n = 0;
            for (var w = 0; w < words; w++)
                for (var word = accepted[w]; word != 0; word &= word - 1)
                    ids[n++] = (w << 5) + BitOperations.TrailingZeroCount(word);
        }
        else if (v - a < words)
        {
            kind = Storage.RejectedList;
            ids = new int[v - a];
            var n = 0;
            for (var w = 0; w < words; w++)
            {
                var valid = w < v >> 5 ? uint.MaxValue : (1u << (v & 31)) - 1; // bits past the vocabulary are no tokens
                for (var word = ~accepted[w] & valid; word != 0; word &= word - 1)
                    ids[n++] = (w << 5) + BitOperations.TrailingZeroCount(word);
            }
        }
        else
        {
            kind = Storage.Bitset;
            bits = accepted.ToArray();
        }
        return new TokenMaskEntry
        {
            Kind = kind, Ids = ids, Bits = bits, Uncertain = uncertain.ToArray(), UncertainLcp = lcp, AcceptedCount = a,
        };
    }

    /// <summary>Writes the accepted tokens into <paramref name="bits"/> (mask-sized), replacing what was there.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void CopyAcceptedTo(Span<uint> bits, int vocabSize)
    {
        switch (Kind)
        {
            case Storage.AcceptedList:
                bits.Clear();
                foreach (var id in Ids) bits[id >> 5] |= 1u << (id & 31);
                break;
            case Storage.Bitset:
                Bits.CopyTo(bits);
                break;
            default:
                Ponder.Sampling.TokenBitmask.AllowAll(bits, vocabSize);
                foreach (var id in Ids) bits[id >> 5] &= ~(1u << (id & 31));
                break;
        }
    }

    /// <summary>ORs the accepted tokens into <paramref name="mask"/>; <paramref name="scratch"/> is a mask-sized buffer
    /// for the rejected-list form.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void OrInto(Span<uint> mask, Span<uint> scratch, int vocabSize)
    {
        switch (Kind)
        {
            case Storage.AcceptedList:
                foreach (var id in Ids) mask[id >> 5] |= 1u << (id & 31);
                break;
            case Storage.Bitset:
                Or(mask, Bits);
                break;
            default:
                Ponder.Sampling.TokenBitmask.AllowAll(scratch, vocabSize);
                foreach (var id in Ids) scratch[id >> 5] &= ~(1u << (id & 31));
                Or(mask, scratch);
                break;
        }
    }

    static void Or(Span<uint> dst, ReadOnlySpan<uint> src)
    {
        var n = src.Length;
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var d = MemoryMarshal.Cast<uint, Vector<uint>>(dst[..n]);
            var s = MemoryMarshal.Cast<uint, Vector<uint>>(src);
            for (var j = 0; j < s.Length; j++) d[j] |= s[j];
            i = s.Length * Vector<uint>.Count;
        }
        for (; i < n; i++) dst[i] |= src[i];
    }
}
