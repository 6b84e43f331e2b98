namespace Ponder.Tokenizers;

/// <summary>The token type stored per token in <c>tokenizer.ggml.token_type</c> (values fixed by the GGUF spec).</summary>
public enum TokenType
{
    Undefined = 0,
    Normal = 1,
    Unknown = 2,
    Control = 3,
    UserDefined = 4,
    Unused = 5,
    Byte = 6,
}

/// <summary>Per-token attributes as llama.cpp keeps them (<c>llama_token_attr</c>): a bit set, because llama.cpp adds
/// bits on top of the stored type (a text-detected end token gains <see cref="Control"/>; phi-3 tokens gain
/// <see cref="RStrip"/>), and the bits decide both special-token parsing and decoding.</summary>
[Flags]
public enum TokenAttributes
{
    Undefined = 0,
    Unknown = 1 << 0,
    Unused = 1 << 1,
    Normal = 1 << 2,
    Control = 1 << 3,
    UserDefined = 1 << 4,
    Byte = 1 << 5,
    Normalized = 1 << 6,
    LStrip = 1 << 7,
    RStrip = 1 << 8,
    SingleWord = 1 << 9,
}

/// <summary>Which algorithm turns text into ids (<c>tokenizer.ggml.model</c>).</summary>
public enum TokenizerKind
{
    /// <summary>SentencePiece (<c>llama</c>): score-ordered merges of adjacent pieces, ▁ for spaces, byte fallback.</summary>
    SentencePiece,
    /// <summary>Byte-level BPE (<c>gpt2</c>): regex pre-tokenizer, GPT-2 byte-to-unicode alphabet, ranked merges.</summary>
    BytePairEncoding,
    /// <summary>WordPiece (<c>bert</c>): lower-casing, accent-stripping split, longest-prefix match.</summary>
    WordPiece,
}
