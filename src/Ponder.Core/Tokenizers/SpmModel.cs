using System.Buffers;
using System.Runtime.InteropServices;

namespace Ponder.Tokenizers;

/// <summary>SentencePiece-style BPE as llama.cpp runs it (<c>llm_tokenizer_spm_session</c>): spaces become ▁, the
/// text starts as one symbol per code point, and the adjacent pair whose concatenation is the token with the
/// highest score is merged first (leftmost on ties) until no pair forms a token; a symbol that is no token is
/// spelled with byte tokens <c>&lt;0xNN&gt;</c>.</summary>
/// <remarks>
/// llama.cpp runs the merge over the whole text at once. Here the text is cut before a ▁ whenever no token
/// contains the preceding char followed by ▁: no merge can cross such a cut, and pairs on either side never
/// compete for the same symbol, so the result is identical while each chunk (mostly one word) can be cached
/// and the priority queue stays small. Written here rather than with Microsoft.ML.Tokenizers' SentencePiece
/// model, which can only be built from a SentencePiece protobuf file, not from GGUF arrays.
/// </remarks>
internal sealed class SpmModel : ITokenModel
{
    const char Space = '\u2581';

    readonly Vocabulary _v;
    readonly int[] _byteToken = new int[256];
    readonly bool[] _joinsSpace = new bool[65536]; // some token contains this char followed by ▁
    readonly WordCache _cache = new();
    static readonly ScoreOrder Order = new();

    [ThreadStatic] static Scratch? t_scratch;

    public SpmModel(Vocabulary v)
    {
        _v = v;
        for (int b = 0; b < 256; b++)
        {
            int id = v.Lookup($"<0x{b:X2}>");
            if (id < 0 && b < 128) id = v.Lookup(((char)b).ToString());
            _byteToken[b] = id;
        }
        foreach (var t in v.Texts)
            for (int i = 1; i < t.Length; i++)
                if (t[i] == Space) _joinsSpace[t[i - 1]] = true;
    }

    public void Encode(ReadOnlySpan<char> text, List<int> output)
    {
        if (text.IsEmpty) return;
        var buf = ArrayPool<char>.Shared.Rent(text.Length);
        try
        {
            var s = buf.AsSpan(0, text.Length);
            text.Replace(s, ' ', Space);
            var scratch = t_scratch ??= new Scratch();
            int chunk = 0;
            for (int i = 1; i < s.Length; i++)
            {
                if (s[i] == Space && !_joinsSpace[s[i - 1]])
                {
                    EncodeChunk(s[chunk..i], output, scratch);
                    chunk = i;
                }
            }
            EncodeChunk(s[chunk..], output, scratch);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buf);
        }
    }

    void EncodeChunk(ReadOnlySpan<char> text, List<int> output, Scratch s)
    {
        if (_cache.TryGet(text, out var cached))
        {
            output.AddRange(cached);
            return;
        }
        int before = output.Count;
        Merge(text, output, s);
        _cache.Add(text, CollectionsMarshal.AsSpan(output)[before..]);
    }

    void Merge(ReadOnlySpan<char> text, List<int> output, Scratch s)
    {
        s.Ensure(text.Length);
        var start = s.Start; var len = s.Len; var prev = s.Prev; var next = s.Next;
        int n = 0;
        for (int i = 0; i < text.Length; n++)
        {
            int w = char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]) ? 2 : 1;
            start[n] = i;
            len[n] = w;
            prev[n] = n - 1;
            next[n] = i + w < text.Length ? n + 1 : -1;
            i += w;
        }
        var queue = s.Queue;
        queue.Clear();
        for (int i = 1; i < n; i++) TryQueue(text, i - 1, i, s);

        while (queue.TryDequeue(out var b, out _))
        {
            int l = b.Left, r = b.Right;
            if (len[l] == 0 || len[r] == 0 || len[l] + len[r] != b.Size) continue; // a side has changed since
            len[l] += len[r];
            len[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) prev[next[r]] = l;
            TryQueue(text, prev[l], l, s);
            TryQueue(text, l, next[l], s);
        }

        Span<byte> utf8 = stackalloc byte[8];
        for (int i = 0; i != -1; i = next[i])
        {
            var piece = text.Slice(start[i], len[i]);
            int id = _v.Lookup(piece);
            if (id >= 0)
            {
                output.Add(id);
                continue;
            }
            int k = System.Text.Encoding.UTF8.GetBytes(piece, utf8);
            for (int j = 0; j < k; j++)
            {
                int bt = _byteToken[utf8[j]];
                if (bt >= 0) output.Add(bt);
                else if (_v.Unk is int unk) output.Add(unk);
            }
        }
    }

    void TryQueue(ReadOnlySpan<char> text, int left, int right, Scratch s)
    {
        if (left < 0 || right < 0) return;
        int size = s.Len[left] + s.Len[right];
        int id = _v.Lookup(text.Slice(s.Start[left], size));
        if (id < 0) return;
        s.Queue.Enqueue(new Pair(left, right, size), (_v.Scores[id], left));
    }

    readonly record struct Pair(int Left, int Right, int Size);

    /// <summary>Highest score first, then the leftmost pair (llama.cpp's <c>llm_bigram_spm::comparator</c>).</summary>
    sealed class ScoreOrder : IComparer<(float Score, int Left)>
    {
        public int Compare((float Score, int Left) a, (float Score, int Left) b)
        {
            if (a.Score != b.Score) return a.Score > b.Score ? -1 : 1;
            return a.Left.CompareTo(b.Left);
        }
    }

    sealed class Scratch
    {
        public int[] Start = [], Len = [], Prev = [], Next = [];
        public readonly PriorityQueue<Pair, (float, int)> Queue = new(Order);

        public void Ensure(int n)
        {
            if (Start.Length >= n) return;
            int size = Math.Max(n, Start.Length * 2);
            Start = new int[size]; Len = new int[size]; Prev = new int[size]; Next = new int[size];
        }
    }
}
