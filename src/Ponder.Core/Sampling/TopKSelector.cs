using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Ponder.Sampling;

/// <summary>
/// Picks the k best tokens of a vocabulary-wide logit row without sorting it: a size-k min-heap
/// whose root is the current k-th best, and a vector pass that skips whole chunks in which no
/// logit beats the root. On LM logits almost every chunk is skipped after the first few thousand
/// tokens, so top-40 of 151936 costs about one read of the row.
/// </summary>
/// <remarks>
/// Hand-written because neither the BCL nor System.Numerics.Tensors has partial selection
/// (nth_element / top-k) over spans. Tokens at -infinity (masked) and NaN are never selected.
/// </remarks>
internal static class TopKSelector
{
    /// <summary>Fills <paramref name="heap"/>[..k] with the k best tokens (fewer when fewer are
    /// finite), sorted best first; returns how many.</summary>
    public static int SelectSorted(ReadOnlySpan<float> logits, int k, Span<Candidate> heap)
    {
        var n = Select(logits, k, heap);
        heap[..n].Sort(Candidate.BestFirst);
        return n;
    }

    public static int Select(ReadOnlySpan<float> logits, int k, Span<Candidate> heap)
    {
        if (k <= 0) return 0;
        heap = heap[..k];
        var size = 0;
        var i = 0;
        for (; i < logits.Length && size < k; i++)
        {
            var x = logits[i];
            if (x > float.NegativeInfinity) heap[size++] = new Candidate(i, x);
        }
        if (size < k) return size;
        for (var p = k / 2 - 1; p >= 0; p--) SiftDown(heap, p);

        ref var l0 = ref MemoryMarshal.GetReference(logits);
        var root = heap[0].Logit;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= logits.Length - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                if (!Vector512.GreaterThanAny(Vector512.LoadUnsafe(ref l0, (nuint)i), Vector512.Create(root))) continue;
                root = Offer(heap, logits, i, Vector512<float>.Count);
            }
        }
        else if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= logits.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                if (!Vector256.GreaterThanAny(Vector256.LoadUnsafe(ref l0, (nuint)i), Vector256.Create(root))) continue;
                root = Offer(heap, logits, i, Vector256<float>.Count);
            }
        }
        Offer(heap, logits, i, logits.Length - i);
        return k;
    }

    /// <summary>Offers tokens [start, start+count) in id order; a token only enters by beating the
    /// root strictly, since an equal logit with a larger id ranks after it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    static float Offer(Span<Candidate> heap, ReadOnlySpan<float> logits, int start, int count)
    {
        for (var j = start; j < start + count; j++)
        {
            var x = logits[j];
            if (x > heap[0].Logit)
            {
                heap[0] = new Candidate(j, x);
                SiftDown(heap, 0);
            }
        }
        return heap[0].Logit;
    }

    /// <summary>Min-heap on rank: the root is the worst of the kept candidates.</summary>
    static void SiftDown(Span<Candidate> heap, int p)
    {
        var item = heap[p];
        var n = heap.Length;
        while (true)
        {
            var c = 2 * p + 1;
            if (c >= n) break;
            if (c + 1 < n && Candidate.Before(heap[c], heap[c + 1])) c++; // pick the worse child
            if (!Candidate.Before(item, heap[c])) break;
            heap[p] = heap[c];
            p = c;
        }
        heap[p] = item;
    }
}
