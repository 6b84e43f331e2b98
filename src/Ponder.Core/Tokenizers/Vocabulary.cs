using Ponder.Gguf;

namespace Ponder.Tokenizers;

/// <summary>The token table and special-token settings read from <c>tokenizer.ggml.*</c>, with llama.cpp's
/// defaults and its text-based fix-ups (end-of-turn and fill-in-middle tokens found by their text, phi-3's
/// right-stripping specials), because those fix-ups change which text is parsed as a special token.</summary>
internal sealed class Vocabulary
{
    public required TokenizerKind Kind { get; init; }
    public required string ModelName { get; init; }
    public required string? PreName { get; init; }
    public required string[] Texts { get; init; }
    public required float[] Scores { get; init; }
    public required TokenType[] Types { get; init; }
    public required TokenAttributes[] Attributes { get; init; }
    public required Dictionary<string, int> TextToId { get; init; }
    public required Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> SpanToId { get; init; }
    public required string[]? Merges { get; init; }
    public required int MaxTokenChars { get; init; }

    public int? Bos, Eos, Eot, Eom, Unk, Sep, Pad, Mask, FimPre, FimSuf, FimMid, FimPad, FimRep, FimSep;
    public bool AddBos, AddEos, AddSep, AddSpacePrefix;
    public HashSet<int> EndOfGeneration { get; } = [];

    /// <summary>Control, user-defined and unknown tokens, longest text first: the order llama.cpp splits them out of
    /// the input (<c>cache_special_tokens</c>), so a longer special wins over a shorter one it contains.</summary>
    public int[] SpecialTokensLongestFirst { get; private set; } = [];

    public int Count => Texts.Length;

    public int Lookup(ReadOnlySpan<char> text) => SpanToId.TryGetValue(text, out var id) ? id : -1;

    public static Vocabulary FromGguf(GgufMetadata m, bool bpeAddBosDefault)
    {
        var model = m.GetStringOrNull("tokenizer.ggml.model")
            ?? throw new TokenizerException("metadata key 'tokenizer.ggml.model' is missing: this GGUF file carries no tokenizer");
        var kind = model switch
        {
            "llama" => TokenizerKind.SentencePiece,
            "gpt2" => TokenizerKind.BytePairEncoding,
            "bert" => TokenizerKind.WordPiece,
            _ => throw new TokenizerException(
                $"tokenizer.ggml.model '{model}' is not supported; supported: llama (SentencePiece), gpt2 (byte-level BPE), bert (WordPiece)"),
        };
        var texts = m.GetArrayOrNull<string>("tokenizer.ggml.tokens")
            ?? throw new TokenizerException("metadata key 'tokenizer.ggml.tokens' is missing");
        int n = texts.Length;
        if (n == 0) throw new TokenizerException("tokenizer.ggml.tokens is empty");

        var scores = ReadScores(m, n);
        var typeCodes = m.GetInt32ArrayOrNull("tokenizer.ggml.token_type");
        if (typeCodes != null && typeCodes.Length < n)
            throw new TokenizerException($"tokenizer.ggml.token_type has {typeCodes.Length} entries for {n} tokens");

        var types = new TokenType[n];
        var attrs = new TokenAttributes[n];
        var toId = new Dictionary<string, int>(n, StringComparer.Ordinal);
        int maxChars = 0;
        for (int i = 0; i < n; i++)
        {
            // Later duplicates win, as llama.cpp's token_to_id[word] = i did at the reference commit.
            toId[texts[i]] = i;
            maxChars = Math.Max(maxChars, texts[i].Length);
            var t = typeCodes == null ? TokenType.Normal : (TokenType)typeCodes[i];
            types[i] = t;
            attrs[i] = t switch
            {
                TokenType.Normal => TokenAttributes.Normal,
                TokenType.Unknown => TokenAttributes.Unknown,
                TokenType.Control => TokenAttributes.Control,
                TokenType.UserDefined => TokenAttributes.UserDefined,
                TokenType.Unused => TokenAttributes.Unused,
                TokenType.Byte => TokenAttributes.Byte,
                _ => TokenAttributes.Undefined,
            };
        }

        string? pre = m.GetStringOrNull("tokenizer.ggml.pre");
        string[]? merges = null;
        if (kind == TokenizerKind.BytePairEncoding)
            merges = m.GetArrayOrNull<string>("tokenizer.ggml.merges")
                ?? throw new TokenizerException("metadata key 'tokenizer.ggml.merges' is missing; a gpt2 (BPE) tokenizer needs its merges");

        var v = new Vocabulary
        {
            Kind = kind, ModelName = model, PreName = pre, Texts = texts, Scores = scores, Types = types,
            Attributes = attrs, TextToId = toId, SpanToId = toId.GetAlternateLookup<ReadOnlySpan<char>>(),
            Merges = merges, MaxTokenChars = maxChars,
        };
        v.ReadSpecials(m, bpeAddBosDefault);
        return v;
    }

    static float[] ReadScores(GgufMetadata m, int n)
    {
        if (!m.Contains("tokenizer.ggml.scores")) return new float[n];
        float[] s;
        var v = m["tokenizer.ggml.scores"];
        if (v.ElementType is GgufValueType.Int32) s = Array.ConvertAll(m.GetInt32ArrayOrNull("tokenizer.ggml.scores")!, x => (float)x);
        else s = m.GetFloatArrayOrNull("tokenizer.ggml.scores")!;
        if (s.Length < n) throw new TokenizerException($"tokenizer.ggml.scores has {s.Length} entries for {n} tokens");
        return s;
    }

    void ReadSpecials(GgufMetadata m, bool bpeAddBosDefault)
    {
        switch (Kind)
        {
            case TokenizerKind.SentencePiece:
                Bos = 1; Eos = 2; Unk = 0;
                AddBos = true; AddSpacePrefix = true;
                break;
            case TokenizerKind.WordPiece:
                Bos = 101; Unk = 100; Sep = 102; Pad = 0; Mask = 103;
                AddBos = true; AddSep = true;
                break;
            default:
                Bos = 11; Eos = 11;
                AddBos = bpeAddBosDefault;
                break;
        }
        AddSpacePrefix = m.GetBool("tokenizer.ggml.add_space_prefix", AddSpacePrefix);

        Bos = Special(m, "bos_token_id", Bos);
        Eos = Special(m, "eos_token_id", Eos);
        Eot = Special(m, "eot_token_id", Eot);
        Eom = Special(m, "eom_token_id", Eom);
        Unk = Special(m, "unknown_token_id", Unk);
        Sep = Special(m, "seperator_token_id", Sep);
        Pad = Special(m, "padding_token_id", Pad);
        Mask = Special(m, "mask_token_id", Mask);
        FimPre = Special(m, "fim_pre_token_id", Special(m, "prefix_token_id", FimPre));
        FimSuf = Special(m, "fim_suf_token_id", Special(m, "suffix_token_id", FimSuf));
        FimMid = Special(m, "fim_mid_token_id", Special(m, "middle_token_id", FimMid));
        FimPad = Special(m, "fim_pad_token_id", FimPad);
        FimRep = Special(m, "fim_rep_token_id", FimRep);
        FimSep = Special(m, "fim_sep_token_id", FimSep);

        AddBos = m.GetBool("tokenizer.ggml.add_bos_token", AddBos);
        AddEos = m.GetBool("tokenizer.ggml.add_eos_token", AddEos);
        if (AddBos && Bos == null) throw new TokenizerException("tokenizer.ggml.add_bos_token is true, but tokenizer.ggml.bos_token_id is not set");
        if (AddEos && Eos == null) throw new TokenizerException("tokenizer.ggml.add_eos_token is true, but tokenizer.ggml.eos_token_id is not set");

        // Converters do not always mark these; llama.cpp finds them by text and forces them to control type,
        // which also stops them being parsed from text when parse_special is off.
        Eot ??= FindByText(["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<EOT>", "_<EOT>", "<｜end▁of▁sentence｜>"]);
        Eom ??= FindByText(["<|eom_id|>"]);
        FimPre ??= FindByText(["<|fim_prefix|>", "<fim-prefix>", "<｜fim▁begin｜>", "<PRE>"]);
        FimSuf ??= FindByText(["<|fim_suffix|>", "<fim-suffix>", "<｜fim▁hole｜>", "<SUF>"]);
        FimMid ??= FindByText(["<|fim_middle|>", "<fim-middle>", "<｜fim▁end｜>", "<MID>"]);
        FimPad ??= FindByText(["<|fim_pad|>", "<fim-pad>", "<PAD>"]);
        FimRep ??= FindByText(["<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>"]);
        FimSep ??= FindByText(["<|file_sep|>"]);

        foreach (var id in new[] { FimPad, FimRep, FimSep })
            if (id is int x) EndOfGeneration.Add(x);
        foreach (var text in (string[])["<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|eom_id|>", "<EOT>", "_<EOT>"])
        {
            if (TextToId.TryGetValue(text, out var id))
            {
                EndOfGeneration.Add(id);
                Attributes[id] |= TokenAttributes.Control;
            }
        }
        foreach (var id in new[] { Eos, Eot, Eom })
            if (id is int x) EndOfGeneration.Add(x);

        var specials = new List<int>();
        for (int i = 0; i < Count; i++)
            if ((Attributes[i] & (TokenAttributes.Control | TokenAttributes.UserDefined | TokenAttributes.Unknown)) != 0 && Texts[i].Length > 0)
                specials.Add(i);
        // Stable: equal lengths keep id order (llama.cpp's std::sort leaves ties unspecified).
        SpecialTokensLongestFirst = [.. specials.OrderByDescending(i => System.Text.Encoding.UTF8.GetByteCount(Texts[i]))];

        // llama.cpp sets these per model name; phi-3's chat tokens swallow the whitespace after them.
        var name = (m.GetStringOrNull("general.name") ?? "").ToLowerInvariant();
        if (PreName is "jina-v2-de" or "jina-v2-es" or "jina-v2-code")
        {
            if (TextToId.TryGetValue("<mask>", out var mask)) Attributes[mask] |= TokenAttributes.LStrip;
        }
        else if (name.Contains("phi-3") || name.Contains("phi3"))
        {
            foreach (var id in SpecialTokensLongestFirst) Attributes[id] |= TokenAttributes.RStrip;
            if (TextToId.TryGetValue("</s>", out var eos)) Attributes[eos] |= TokenAttributes.RStrip;
            foreach (var t in (string[])["<unk>", "<s>", "<|endoftext|>"])
                if (TextToId.TryGetValue(t, out var id)) Attributes[id] &= ~TokenAttributes.RStrip;
        }
    }

    int? Special(GgufMetadata m, string key, int? fallback)
    {
        if (fallback is int f && (uint)f >= (uint)Count) fallback = null;
        var v = m.GetIntegerOrNull("tokenizer.ggml." + key);
        if (v is long id && id >= 0 && id < Count) return (int)id;
        return fallback;
    }

    int? FindByText(string[] candidates)
    {
        foreach (var c in candidates)
        {
            if (TextToId.TryGetValue(c, out var id))
            {
                Attributes[id] |= TokenAttributes.Control;
                return id;
            }
        }
        return null;
    }
}
