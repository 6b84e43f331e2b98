using System.IO.Compression;
using System.Text;
using Ponder.Gguf;
using Ponder.Tokenizers;

namespace Ponder.Grammars.Tests;

/// <summary>Tokenizers for the tests: a small byte-level vocabulary built in memory (fast enough for property tests
/// that compile hundreds of grammars) and the Qwen2 vocabulary from the repository's test data.</summary>
public static class TestTokenizers
{
    static readonly Lazy<Tokenizer> QwenLazy = new(() => LoadVocab("ggml-vocab-qwen2.gguf.gz"));

    /// <summary>Qwen2.5's vocabulary (~151k tokens).</summary>
    public static Tokenizer Qwen => QwenLazy.Value;

    public const string EosText = "<|end|>";
    public const string ControlText = "<|ctl|>";

    /// <summary>256 byte tokens, the given multi-byte tokens, an end-of-sequence token and one other control token.</summary>
    public static Tokenizer Small(IEnumerable<string> pieces)
    {
        var texts = new List<string>();
        var types = new List<int>();
        for (var b = 0; b < 256; b++) { texts.Add(ByteChar(b).ToString()); types.Add(1); }
        foreach (var p in pieces.Distinct())
        {
            var t = string.Concat(Encoding.UTF8.GetBytes(p).Select(b => ByteChar(b)));
            if (texts.Contains(t)) continue;
            texts.Add(t);
            types.Add(1);
        }
        texts.Add(EosText); types.Add(3);
        texts.Add(ControlText); types.Add(3);
        var w = new GgufWriter();
        w.AddString("tokenizer.ggml.model", "gpt2");
        w.AddString("tokenizer.ggml.pre", "qwen2");
        w.AddArray("tokenizer.ggml.tokens", texts.ToArray());
        w.AddArray("tokenizer.ggml.token_type", types.ToArray());
        w.AddArray("tokenizer.ggml.merges", Array.Empty<string>());
        w.AddUInt32("tokenizer.ggml.eos_token_id", (uint)(texts.Count - 2));
        var ms = new MemoryStream();
        w.WriteTo(ms);
        using var f = GgufFile.FromBytes(ms.ToArray());
        return Tokenizer.FromGguf(f.Metadata);
    }

    /// <summary>A small vocabulary with tokens that cross JSON's structure (<c>"},</c>, <c>":</c>) and multi-byte
    /// characters, so masks meet context-dependent tokens.</summary>
    public static Tokenizer SmallJsonish { get; } = Small([
        "{\"", "\":", "\",", "\"}", "\"},", "}]", "],", "true", "false", "null", "ab", "abc", "\": \"", " \"",
        "é", "😀", "\\n", "\\\"", "12", "0.", "e+", ", ", "  ", "\n ", "a\"", "b\",\"", "x]", "1,",
        "\xC3", "+-", "aa", "ba", "a b", "((", "))", "a(", ")b",
    ]);

    static char ByteChar(int b)
    {
        // GPT-2's byte-to-unicode map: printable bytes stand for themselves, the rest move to U+0100 and up.
        if (b is >= 0x21 and <= 0x7E or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF) return (char)b;
        var n = 0;
        for (var x = 0; x < b; x++)
            if (!(x is >= 0x21 and <= 0x7E or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF)) n++;
        return (char)(256 + n);
    }

    static Tokenizer LoadVocab(string file)
    {
        using var gz = new GZipStream(File.OpenRead(Path.Combine(TestData.Root, "vocab", file)), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        using var g = GgufFile.FromBytes(ms.GetBuffer().AsSpan(0, (int)ms.Length));
        return Tokenizer.FromGguf(g.Metadata);
    }
}

/// <summary>Finds the repository's testdata/ folder from the test binaries.</summary>
public static class TestData
{
    public static string Root { get; } = Find();

    static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        {
            var p = Path.Combine(d.FullName, "testdata");
            if (File.Exists(Path.Combine(p, "vocab", "ggml-vocab-qwen2.gguf.gz"))) return p;
        }
        throw new DirectoryNotFoundException("testdata/ not found above the test binaries");
    }
}

/// <summary>The GBNF files under testdata/grammars.</summary>
public static class TestGrammars
{
    public static string Read(string file) => File.ReadAllText(Path.Combine(TestData.Root, "grammars", file));
}
