using System.Buffers;
using System.Text;
using Ponder.Gguf;

namespace Ponder.Tokenizers;

/// <summary>Text ↔ token ids for a GGUF model, producing exactly llama.cpp's ids (reference: llama.cpp b4748,
/// <c>llama-vocab.cpp</c> and <c>unicode.cpp</c>). Thread-safe: any number of threads may encode and decode at once.</summary>
/// <remarks>
/// All encode overloads funnel into <see cref="Encode(ReadOnlySpan{char}, List{int}, bool, bool)"/>:
/// special tokens are cut out first (<see cref="SpecialTokenSplitter"/>), then each plain-text fragment goes
/// to the model (SentencePiece, byte-level BPE or WordPiece), with BOS/EOS/SEP added as the file asks.
/// </remarks>
public sealed class Tokenizer
{
    readonly Vocabulary _v;
    readonly ITokenModel _model;
    readonly byte[][] _pieces;        // bytes per token when decoding without special tokens
    readonly byte[][] _specialPieces; // bytes per token with control tokens rendered as their text

    Tokenizer(Vocabulary v, ITokenModel model, string? preName, IReadOnlyList<string> warnings)
    {
        _v = v;
        _model = model;
        PreTokenizer = preName;
        Warnings = warnings;
        _pieces = new byte[v.Count][];
        _specialPieces = new byte[v.Count][];
        for (int i = 0; i < v.Count; i++)
        {
            _specialPieces[i] = BuildPiece(i, renderSpecial: true);
            _pieces[i] = (v.Attributes[i] & (TokenAttributes.Control | TokenAttributes.Unknown)) != 0 ? [] : _specialPieces[i];
        }
    }

    /// <summary>Builds the tokenizer a GGUF file describes in its <c>tokenizer.ggml.*</c> keys.</summary>
    /// <exception cref="TokenizerException">Unknown model or pre-tokenizer, missing or inconsistent arrays.</exception>
    public static Tokenizer FromGguf(GgufMetadata metadata)
    {
        ArgumentNullException.ThrowIfNull(metadata);
        var warnings = new List<string>();
        BpePreTokenizer? pre = null;
        if (metadata.GetStringOrNull("tokenizer.ggml.model") == "gpt2")
        {
            pre = BpePreTokenizer.For(metadata.GetStringOrNull("tokenizer.ggml.pre"), out var warning);
            if (warning != null) warnings.Add(warning);
        }
        var v = Vocabulary.FromGguf(metadata, pre?.AddBosDefault ?? false);
        ITokenModel model = v.Kind switch
        {
            TokenizerKind.SentencePiece => new SpmModel(v),
            TokenizerKind.BytePairEncoding => new BpeModel(v, pre!),
            _ => new WpmModel(v),
        };
        return new Tokenizer(v, model, pre?.Name, warnings);
    }

    /// <summary>Opens a .gguf (or gzip-compressed .gguf.gz) file and builds its tokenizer.</summary>
    public static Tokenizer FromFile(string path)
    {
        if (path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            using var gz = new System.IO.Compression.GZipStream(File.OpenRead(path), System.IO.Compression.CompressionMode.Decompress);
            using var ms = new MemoryStream();
            gz.CopyTo(ms);
            using var g = GgufFile.FromBytes(ms.GetBuffer().AsSpan(0, (int)ms.Length), path);
            return FromGguf(g.Metadata);
        }
        using var f = GgufFile.Open(path);
        return FromGguf(f.Metadata);
    }

    public TokenizerKind Kind => _v.Kind;
    /// <summary><c>tokenizer.ggml.model</c> (llama, gpt2, bert).</summary>
    public string Model => _v.ModelName;
    /// <summary>The pre-tokenizer in use for BPE vocabularies, else null.</summary>
    public string? PreTokenizer { get; }
    /// <summary>Fallbacks taken while loading (e.g. no <c>tokenizer.ggml.pre</c>); empty when none.</summary>
    public IReadOnlyList<string> Warnings { get; }
    /// <summary>Every <c>tokenizer.ggml.pre</c> value this build accepts.</summary>
    public static IReadOnlyCollection<string> SupportedPreTokenizers => BpePreTokenizer.SupportedNames;

    public int VocabSize => _v.Count;
    public int? BosId => _v.Bos;
    public int? EosId => _v.Eos;
    public int? EotId => _v.Eot;
    public int? EomId => _v.Eom;
    public int? UnknownId => _v.Unk;
    public int? SeparatorId => _v.Sep;
    public int? PaddingId => _v.Pad;
    public bool AddBos => _v.AddBos;
    public bool AddEos => _v.AddEos;
    /// <summary>WordPiece: a SEP token closes the sequence when special tokens are added.</summary>
    public bool AddSep => _v.AddSep;
    /// <summary>SentencePiece adds a space before text that starts the input or follows a special token.</summary>
    public bool AddSpacePrefix => _v.AddSpacePrefix;
    /// <summary>Ids that end generation: EOS, EOT, EOM and the tokens llama.cpp recognises by text
    /// (<c>&lt;|im_end|&gt;</c>, <c>&lt;|eot_id|&gt;</c>, <c>&lt;|endoftext|&gt;</c>, FIM pad/repo/file-separator, ...).</summary>
    public IReadOnlyCollection<int> EndOfGenerationIds => _v.EndOfGeneration;

    public bool IsEndOfGeneration(int id) => _v.EndOfGeneration.Contains(id);

    /// <summary>The token's text as stored in the vocabulary (▁ and GPT-2 alphabet included).</summary>
    public string TokenText(int id) => _v.Texts[Check(id)];
    public TokenType GetTokenType(int id) => _v.Types[Check(id)];
    public TokenAttributes GetAttributes(int id) => _v.Attributes[Check(id)];
    public bool IsControl(int id) => (GetAttributes(id) & TokenAttributes.Control) != 0;
    /// <summary>The id of the token whose stored text is exactly <paramref name="text"/>, or null.</summary>
    public int? TokenId(string text) => _v.TextToId.TryGetValue(text, out var id) ? id : null;

    // ---- encoding -------------------------------------------------------------------------------------

    public int[] Encode(string text, bool addSpecial = true, bool parseSpecial = true) =>
        Encode(text.AsSpan(), addSpecial, parseSpecial);

    public int[] Encode(ReadOnlySpan<char> text, bool addSpecial = true, bool parseSpecial = true)
    {
        var ids = new List<int>(text.Length / 3 + 4);
        Encode(text, ids, addSpecial, parseSpecial);
        return [.. ids];
    }

    /// <summary>UTF-8 input; invalid sequences become U+FFFD as in llama.cpp.</summary>
    public int[] EncodeUtf8(ReadOnlySpan<byte> utf8, bool addSpecial = true, bool parseSpecial = true) =>
        Encode(Encoding.UTF8.GetString(utf8), addSpecial, parseSpecial);

    /// <summary>The core: appends the ids of <paramref name="text"/> to <paramref name="output"/>.</summary>
    /// <param name="addSpecial">Add BOS/EOS (SEP for WordPiece) as the vocabulary's add_bos/add_eos say.</param>
    /// <param name="parseSpecial">Turn the text of control tokens (e.g. <c>&lt;|im_start|&gt;</c>) into those tokens;
    /// when false such text is tokenized as plain text. User-defined tokens are always recognised.</param>
    public void Encode(ReadOnlySpan<char> text, List<int> output, bool addSpecial = true, bool parseSpecial = true)
    {
        ArgumentNullException.ThrowIfNull(output);
        char[]? owned = null;
        if (text.ContainsAnyInRange('\uD800', '\uDFFF') && !IsWellFormedUtf16(text))
        {
            // A lone surrogate has no UTF-8 form; llama.cpp would see U+FFFD (what UTF-8 encoding writes for it).
            owned = ArrayPool<char>.Shared.Rent(text.Length);
            int n = ReplaceLoneSurrogates(text, owned);
            text = owned.AsSpan(0, n);
        }
        try
        {
            EncodeCore(text, output, addSpecial, parseSpecial);
        }
        finally
        {
            if (owned != null) ArrayPool<char>.Shared.Return(owned);
        }
    }

    void EncodeCore(ReadOnlySpan<char> text, List<int> output, bool addSpecial, bool parseSpecial)
    {
        if (addSpecial && (_v.AddBos || _v.Kind == TokenizerKind.WordPiece) && _v.Bos is int bos) output.Add(bos);

        var fragments = new List<SpecialTokenSplitter.Fragment>();
        SpecialTokenSplitter.Split(text, _v, parseSpecial, fragments);
        bool prevSpecial = true; // SentencePiece: the first text fragment, and any after a special token, gets a space
        char[]? prefixed = null;
        try
        {
            foreach (var f in fragments)
            {
                if (!f.IsText)
                {
                    output.Add(f.Token);
                    prevSpecial = true;
                    continue;
                }
                var piece = text.Slice(f.Start, f.Length);
                if (_v.Kind == TokenizerKind.SentencePiece && _v.AddSpacePrefix && prevSpecial)
                {
                    if (prefixed == null || prefixed.Length < piece.Length + 1)
                    {
                        if (prefixed != null) ArrayPool<char>.Shared.Return(prefixed);
                        prefixed = ArrayPool<char>.Shared.Rent(piece.Length + 1);
                    }
                    prefixed[0] = ' ';
                    piece.CopyTo(prefixed.AsSpan(1));
                    piece = prefixed.AsSpan(0, f.Length + 1);
                }
                _model.Encode(piece, output);
                prevSpecial = false;
            }
        }
        finally
        {
            if (prefixed != null) ArrayPool<char>.Shared.Return(prefixed);
        }

        if (addSpecial)
        {
            if (_v.Kind == TokenizerKind.WordPiece)
            {
                if (_v.Sep is int sep) output.Add(sep);
            }
            else if (_v.AddEos && _v.Eos is int eos) output.Add(eos);
        }
    }

    static bool IsWellFormedUtf16(ReadOnlySpan<char> s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (!char.IsSurrogate(s[i])) continue;
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1])) { i++; continue; }
            return false;
        }
        return true;
    }

    static int ReplaceLoneSurrogates(ReadOnlySpan<char> s, Span<char> dst)
    {
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                dst[i] = c;
                dst[i + 1] = s[++i];
            }
            else dst[i] = char.IsSurrogate(c) ? '\uFFFD' : c;
        }
        return s.Length;
    }

    // ---- decoding -------------------------------------------------------------------------------------

    /// <summary>The bytes a token stands for: ▁ → space (SentencePiece), <c>&lt;0xNN&gt;</c> → that byte, GPT-2
    /// alphabet → bytes. Control and unknown tokens give no bytes unless <paramref name="renderSpecial"/>.</summary>
    public byte[] TokenBytes(int id, bool renderSpecial = false) => (byte[])Piece(id, renderSpecial).Clone();

    internal byte[] Piece(int id, bool renderSpecial) => (renderSpecial ? _specialPieces : _pieces)[Check(id)];

    /// <summary>Text of <paramref name="ids"/>. The one space SentencePiece's prefix added at the start is removed, so
    /// <c>Decode(Encode(s)) == s</c> wherever the vocabulary can spell s; invalid UTF-8 becomes U+FFFD.
    /// llama.cpp's clean-up of spaces before punctuation (<c>clean_spaces</c>) is not applied, because it breaks
    /// that round trip.</summary>
    public string Decode(ReadOnlySpan<int> ids, bool renderSpecial = false)
    {
        var bytes = new ArrayBufferWriter<byte>(ids.Length * 4 + 16);
        bool first = true;
        foreach (int id in ids)
        {
            var p = Piece(id, renderSpecial).AsSpan();
            if (p.IsEmpty) continue;
            if (first)
            {
                first = false;
                if (_v.AddSpacePrefix && p[0] == (byte)' ') p = p[1..];
            }
            bytes.Write(p);
        }
        return Encoding.UTF8.GetString(bytes.WrittenSpan);
    }

    public string Decode(int[] ids, bool renderSpecial = false) => Decode(ids.AsSpan(), renderSpecial);

    /// <summary>A decoder for one sequence that returns text as ids arrive, never splitting a UTF-8 character.</summary>
    public StreamingDecoder CreateStreamingDecoder(bool renderSpecial = false) => new(this, renderSpecial);

    byte[] BuildPiece(int id, bool renderSpecial)
    {
        var attr = _v.Attributes[id];
        var text = _v.Texts[id];
        if (!renderSpecial && (attr & (TokenAttributes.Control | TokenAttributes.Unknown)) != 0) return [];
        if ((attr & (TokenAttributes.Control | TokenAttributes.Unknown | TokenAttributes.UserDefined)) != 0)
            return Encoding.UTF8.GetBytes(text);
        if ((attr & TokenAttributes.Normal) != 0)
        {
            if (_v.Kind == TokenizerKind.BytePairEncoding) return ByteLevelDecode(text);
            return Encoding.UTF8.GetBytes(text.Replace('\u2581', ' '));
        }
        if ((attr & TokenAttributes.Byte) != 0 && text.Length == 6 && text.StartsWith("<0x", StringComparison.Ordinal)
            && byte.TryParse(text.AsSpan(3, 2), System.Globalization.NumberStyles.HexNumber, null, out var b))
            return [b];
        return []; // unused / undefined: suppressed like control tokens, as llama.cpp does
    }

    /// <summary>GPT-2 alphabet back to bytes. A char outside the alphabet is written the way llama.cpp's
    /// <c>llama_decode_text</c> writes it (<c>[UNK_BYTE_0x..]</c>), so detokenized text matches.</summary>
    static byte[] ByteLevelDecode(string text)
    {
        var r = new List<byte>(text.Length);
        Span<byte> u = stackalloc byte[4];
        foreach (var rune in text.EnumerateRunes())
        {
            int b = ByteLevelAlphabet.ByteOf(rune.Value);
            if (b >= 0) { r.Add((byte)b); continue; }
            int n = rune.EncodeToUtf8(u);
            var sb = new StringBuilder("[UNK_BYTE_0x");
            for (int i = 0; i < n; i++) sb.Append(u[i].ToString("x2"));
            sb.Append(text).Append(']');
            r.AddRange(Encoding.UTF8.GetBytes(sb.ToString()));
        }
        return [.. r];
    }

    int Check(int id) =>
        (uint)id < (uint)_v.Count ? id : throw new TokenizerException($"token id {id} is out of range (vocabulary has {_v.Count} tokens)");
}
