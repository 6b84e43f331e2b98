namespace Ponder.Models;

/// <summary>
/// A small SentencePiece-style vocabulary for random models, made exactly as
/// testdata/tools/make_tiny_models.py's <c>spm_vocab</c> makes it: &lt;unk&gt;, &lt;s&gt;, &lt;/s&gt;,
/// the 256 byte tokens &lt;0xNN&gt; (type BYTE), then single characters of a fixed English text and
/// BPE merges learned on it, scored −rank. At 512 entries it equals tiny-llama's vocabulary
/// (a test checks that). Larger sizes than the text can supply are padded with distinct filler
/// pieces, so any size from 260 up works.
/// </summary>
public static class RandomModelVocab
{
    // llama.cpp's llama_token_type values.
    public const int Normal = 1, Unknown = 2, Control = 3, Byte = 6;

    /// <summary>The training text of make_tiny_models.py (only its words matter: it is split on whitespace).</summary>
    const string Corpus = """
        The quick brown fox jumps over the lazy dog. The dog was not amused, and the fox ran
        into the forest where the trees were tall and the light was green. In the morning the
        birds sang their songs, and the people of the town went to work. Some of them worked
        in the fields, others in the shops, and a few in the old mill by the river. The river
        was wide and slow, and in the summer the children would swim in it while their parents
        watched from the bank. It is said that a long time ago there was a king who lived in a
        castle on the hill. He was a good king, and the people loved him. When he died, his
        daughter became the queen, and she ruled the land with wisdom and kindness for many
        years. Language models read text as a sequence of tokens. Each token is a number that
        stands for a piece of a word, a whole word, or a single byte. The model computes the
        probability of the next token given all of the previous tokens, and then one token is
        chosen and appended to the sequence. This is repeated until the answer is complete.
        Numbers like 1, 2, 3, 10, 42 and 2024 appear in text too, as do symbols such as (, ),
        [, ], {, }, <, >, =, +, -, *, /, %, & and the quote characters ' and ".
        """;

    public const int MinSize = 260;

    public sealed record Vocab(string[] Tokens, float[] Scores, int[] Types);

    public static Vocab Make(int size)
    {
        if (size < MinSize) throw new ArgumentException($"a SentencePiece vocabulary needs at least {MinSize} entries (3 special + 256 byte tokens + 1 piece), got {size}");
        var tokens = new List<string>(size) { "<unk>", "<s>", "</s>" };
        var types = new List<int>(size) { Unknown, Control, Control };
        for (int b = 0; b < 256; b++) { tokens.Add($"<0x{b:X2}>"); types.Add(Byte); }
        var scores = new List<float>(new float[tokens.Count]);
        int nPieces = size - tokens.Count;

        var words = new Dictionary<string, int>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var w in Corpus.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            string key = "\u2581" + w;
            if (words.TryAdd(key, 1)) order.Add(key);
            else words[key]++;
        }
        // Characters by how many word occurrences contain them (desc), then by code point.
        var chars = new SortedSet<char>();
        foreach (var w in order) foreach (var ch in w) chars.Add(ch);
        var byFreq = chars.Select(ch => (ch, n: order.Where(w => w.Contains(ch)).Sum(w => words[w])))
            .OrderBy(x => -x.n).ThenBy(x => x.ch).Select(x => x.ch.ToString()).ToList();
        var pieces = new List<string>(byFreq);
        var seen = new HashSet<string>(pieces, StringComparer.Ordinal);
        foreach (var (a, b) in BpeTrain(order.Select(w => (w.Select(c => c.ToString()).ToArray(), words[w])).ToList(), nPieces - pieces.Count))
            if (seen.Add(a + b)) pieces.Add(a + b);
        for (int i = 0; pieces.Count < nPieces; i++)
            if (seen.Add($"\u2581<piece{i}>")) pieces.Add($"\u2581<piece{i}>");
        if (pieces.Count > nPieces) pieces.RemoveRange(nPieces, pieces.Count - nPieces);

        for (int i = 0; i < pieces.Count; i++) { tokens.Add(pieces[i]); types.Add(Normal); scores.Add(-i); }
        return new Vocab(tokens.ToArray(), scores.ToArray(), types.ToArray());
    }

    /// <summary>Plain BPE training as in the script: each step merges the most frequent adjacent pair
    /// (ties: the ordinally smallest pair) everywhere, left to right.</summary>
    static List<(string, string)> BpeTrain(List<(string[] Symbols, int Count)> words, int nMerges)
    {
        var merges = new List<(string, string)>();
        for (int m = 0; m < nMerges; m++)
        {
            var pairs = new Dictionary<(string, string), int>();
            foreach (var (w, c) in words)
                for (int i = 0; i + 1 < w.Length; i++)
                    pairs[(w[i], w[i + 1])] = pairs.GetValueOrDefault((w[i], w[i + 1])) + c;
            if (pairs.Count == 0) break;
            (string, string) best = default;
            int bestN = -1;
            foreach (var (p, n) in pairs)
            {
                if (n > bestN || (n == bestN && ComparePair(p, best) < 0)) { best = p; bestN = n; }
            }
            merges.Add(best);
            var next = new List<(string[], int)>(words.Count);
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (w, c) in words)
            {
                var o = new List<string>(w.Length);
                for (int i = 0; i < w.Length;)
                {
                    if (i + 1 < w.Length && w[i] == best.Item1 && w[i + 1] == best.Item2) { o.Add(best.Item1 + best.Item2); i += 2; }
                    else o.Add(w[i++]);
                }
                var arr = o.ToArray();
                var key = string.Join('\0', arr);
                if (index.TryGetValue(key, out int at)) next[at] = (next[at].Item1, next[at].Item2 + c);
                else { index[key] = next.Count; next.Add((arr, c)); }
            }
            words = next;
        }
        return merges;
    }

    static int ComparePair((string, string) a, (string, string) b)
    {
        int c = string.CompareOrdinal(a.Item1, b.Item1);
        return c != 0 ? c : string.CompareOrdinal(a.Item2, b.Item2);
    }
}
