using System.Runtime.InteropServices;

namespace Ponder.Tokenizers;

/// <summary>Byte-level BPE as llama.cpp runs it (<c>llm_tokenizer_bpe_session</c>): pre-tokenize into words, spell
/// each word's UTF-8 bytes in the GPT-2 alphabet, then repeatedly merge the adjacent pair with the lowest merge
/// rank (leftmost first on ties) until no ranked pair is left.</summary>
/// <remarks>Written here rather than taken from Microsoft.ML.Tokenizers: its BpeTokenizer, built from the same GGUF
/// arrays, fails 7 of the 46 mpt vectors ("  ", "   Hello": user-defined whitespace tokens) and differs from llama.cpp
/// on unseen qwen2 text (user-defined tokens such as &lt;think&gt;); details in docs/tokenizers.md. Pairs are keyed
/// by symbol ids instead of strings; every text that occurs in a merge gets an id (vocabulary ids first, extra
/// ids above them for merge parts that are not tokens), so the id pair identifies the same text pair llama.cpp
/// looks up, without building strings in the merge loop.</remarks>
internal sealed class BpeModel : ITokenModel
{
    readonly Vocabulary _v;
    readonly BpePreTokenizer _pre;
    readonly Dictionary<long, (int Rank, int Result)> _merges;
    readonly int[] _charSymbol = new int[0x144]; // GPT-2 alphabet char -> symbol id, -1 if none
    readonly int[] _asciiToken = new int[128];   // llama.cpp's fallback: single-byte token per char of an unknown symbol
    readonly WordCache _cache = new();

    [ThreadStatic] static Scratch? t_scratch;

    public BpeModel(Vocabulary v, BpePreTokenizer pre)
    {
        _v = v;
        _pre = pre;
        var symbols = new Dictionary<string, int>(v.TextToId, StringComparer.Ordinal);
        int Symbol(string s)
        {
            if (symbols.TryGetValue(s, out var id)) return id;
            id = v.Count + symbols.Count - v.TextToId.Count;
            symbols[s] = id;
            return id;
        }

        var merges = v.Merges!;
        _merges = new Dictionary<long, (int, int)>(merges.Length);
        for (int rank = 0; rank < merges.Length; rank++)
        {
            var m = merges[rank];
            int sp = m.Length > 1 ? m.IndexOf(' ', 1) : -1;
            if (sp < 0) continue;
            var left = m[..sp];
            var right = m[(sp + 1)..];
            int l = Symbol(left), r = Symbol(right), res = Symbol(left + right);
            _merges.TryAdd(Key(l, r), (rank, res)); // the first rank of a repeated pair wins, as in llama.cpp
        }
        for (int c = 0; c < _charSymbol.Length; c++)
            _charSymbol[c] = symbols.TryGetValue(((char)c).ToString(), out var id) ? id : -1;
        for (int c = 0; c < 128; c++)
            _asciiToken[c] = v.TextToId.TryGetValue(((char)c).ToString(), out var id) ? id : -1;
    }

    static long Key(int left, int right) => ((long)left << 32) | (uint)right;

    public void Encode(ReadOnlySpan<char> text, List<int> output)
    {
        if (text.IsEmpty) return;
        var s = t_scratch ??= new Scratch();
        using var cps = new CodePointText(text);
        _pre.Split(cps, s.Words, s.SplitScratch);
        var points = cps.CodePoints;
        int start = 0;
        Span<byte> utf8 = stackalloc byte[4];
        foreach (int len in s.Words)
        {
            if (s.WordChars.Length < len * 4) s.WordChars = new char[Math.Max(len * 4, s.WordChars.Length * 2)];
            int n = 0;
            for (int i = start; i < start + len; i++)
            {
                int k = new System.Text.Rune(points[i]).EncodeToUtf8(utf8);
                for (int j = 0; j < k; j++) s.WordChars[n++] = ByteLevelAlphabet.ByteToChar[utf8[j]];
            }
            EncodeWord(s.WordChars.AsSpan(0, n), output, s);
            start += len;
        }
    }

    void EncodeWord(ReadOnlySpan<char> word, List<int> output, Scratch s)
    {
        if (word.IsEmpty) return;
        if (_pre.IgnoreMerges && _v.SpanToId.TryGetValue(word, out var whole))
        {
            output.Add(whole);
            return;
        }
        if (_cache.TryGet(word, out var cached))
        {
            output.AddRange(cached);
            return;
        }
        int before = output.Count;
        Merge(word, output, s);
        _cache.Add(word, CollectionsMarshal.AsSpan(output)[before..]);
    }

    void Merge(ReadOnlySpan<char> word, List<int> output, Scratch s)
    {
        int n = word.Length;
        s.Ensure(n);
        var id = s.Id; var len = s.Len; var prev = s.Prev; var next = s.Next;
        for (int i = 0; i < n; i++)
        {
            id[i] = word[i] < _charSymbol.Length ? _charSymbol[word[i]] : -1;
            len[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        var queue = s.Queue;
        queue.Clear();
        for (int i = 1; i < n; i++) TryQueue(i - 1, i, id, queue);

        while (queue.TryDequeue(out var b, out _))
        {
            int l = b.Left, r = b.Right;
            if (len[l] == 0 || len[r] == 0 || id[l] != b.LeftId || id[r] != b.RightId) continue; // outdated pair
            id[l] = b.Result;
            len[l] += len[r];
            len[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) prev[next[r]] = l;
            TryQueue(prev[l], l, id, queue);
            TryQueue(l, next[l], id, queue);
        }

        for (int i = 0; i != -1; i = next[i])
        {
            if ((uint)id[i] < (uint)_v.Count)
            {
                output.Add(id[i]);
                continue;
            }
            // A symbol that is not a token: llama.cpp looks up each of its UTF-8 bytes as a one-byte token,
            // which only ASCII chars of the alphabet can be, and drops the rest.
            foreach (char c in word.Slice(i, len[i]))
                if (c < 128 && _asciiToken[c] >= 0) output.Add(_asciiToken[c]);
        }
    }

    void TryQueue(int left, int right, int[] id, PriorityQueue<Pair, long> queue)
    {
        if (left < 0 || right < 0 || id[left] < 0 || id[right] < 0) return;
        if (!_merges.TryGetValue(Key(id[left], id[right]), out var m)) return;
        queue.Enqueue(new Pair(left, right, id[left], id[right], m.Result), ((long)m.Rank << 32) | (uint)left);
    }

    readonly record struct Pair(int Left, int Right, int LeftId, int RightId, int Result);

    sealed class Scratch
    {
        public readonly List<int> Words = [];
        public readonly List<int> SplitScratch = [];
        public char[] WordChars = new char[256];
        public int[] Id = [], Len = [], Prev = [], Next = [];
        public readonly PriorityQueue<Pair, long> Queue = new();

        public void Ensure(int n)
        {
            if (Id.Length >= n) return;
            int size = Math.Max(n, Id.Length * 2);
            Id = new int[size]; Len = new int[size]; Prev = new int[size]; Next = new int[size];
        }
    }
}
