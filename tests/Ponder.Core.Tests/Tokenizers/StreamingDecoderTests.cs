using Ponder.Tokenizers;

namespace Ponder.Core.Tests.Tokenizers;

public class StreamingDecoderTests
{
    const string Mixed = "Grüße 😀👨‍👩‍👧 日本語 한국어 — naïve e\u0301 ½ ok";

    [Theory]
    [InlineData("llama-spm")]
    [InlineData("phi-3")]
    [InlineData("qwen2")]
    [InlineData("gpt-2")]
    [InlineData("deepseek-llm")]
    [InlineData("falcon")]
    public void PiecesNeverSplitACharacterAndConcatenateToDecode(string vocab)
    {
        var tok = VocabFixtures.Load(vocab);
        var ids = tok.Encode(Mixed, addSpecial: true, parseSpecial: false);
        var dec = tok.CreateStreamingDecoder();
        var all = new System.Text.StringBuilder();
        foreach (int id in ids)
        {
            var piece = dec.Append(id);
            AssertWholeCharacters(piece);
            all.Append(piece);
        }
        all.Append(dec.Flush());
        Assert.Equal(tok.Decode(ids), all.ToString());
        Assert.Equal(Mixed, all.ToString());
    }

    [Fact]
    public void ByteFallbackPiecesAreHeldUntilTheCharacterIsComplete()
    {
        var tok = VocabFixtures.Load("llama-spm");
        var ids = tok.Encode("😀", addSpecial: false); // ▁ then four <0xNN> byte tokens
        var dec = tok.CreateStreamingDecoder();
        Assert.Equal("", dec.Append(ids[0])); // the prefix space is dropped
        for (int i = 1; i < ids.Length - 1; i++)
        {
            Assert.Equal("", dec.Append(ids[i]));
            Assert.True(dec.PendingBytes > 0);
        }
        Assert.Equal("😀", dec.Append(ids[^1]));
        Assert.Equal(0, dec.PendingBytes);
    }

    [Fact]
    public void CloneForksTheSequenceState()
    {
        var tok = VocabFixtures.Load("llama-spm");
        var ids = tok.Encode("a😀b", addSpecial: false);
        var dec = tok.CreateStreamingDecoder();
        var head = dec.Append(ids.AsSpan(0, 3)); // ▁a and the first byte of 😀
        var fork = dec.Clone();
        var rest = ids.AsSpan(3);
        var mine = dec.Append(rest);
        Assert.Equal(mine, fork.Append(rest));
        Assert.Equal("a😀b", head + mine);
    }

    [Fact]
    public void IncompleteTailBecomesReplacementOnFlush()
    {
        var tok = VocabFixtures.Load("llama-spm");
        var ids = tok.Encode("😀", addSpecial: false);
        var dec = tok.CreateStreamingDecoder();
        dec.Append(ids.AsSpan(0, 3));
        Assert.Equal("\uFFFD", dec.Flush());
    }

    internal static void AssertWholeCharacters(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i])) { Assert.True(i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]), "split surrogate pair"); i++; }
            else Assert.False(char.IsLowSurrogate(s[i]), "lone low surrogate");
            Assert.NotEqual('\uFFFD', s[i]);
        }
    }
}
