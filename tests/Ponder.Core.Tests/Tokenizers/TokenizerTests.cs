using Ponder.Gguf;
using Ponder.Tokenizers;

namespace Ponder.Core.Tests.Tokenizers;

public class TokenizerTests
{
    [Fact]
    public void ControlTokensAreParsedOnlyWhenAsked()
    {
        var tok = VocabFixtures.Load("qwen2");
        int start = tok.TokenId("<|im_start|>")!.Value, end = tok.TokenId("<|im_end|>")!.Value;
        var parsed = tok.Encode("<|im_start|>hi<|im_end|>", addSpecial: false, parseSpecial: true);
        Assert.Equal(start, parsed[0]);
        Assert.Equal(end, parsed[^1]);
        var plain = tok.Encode("<|im_start|>hi<|im_end|>", addSpecial: false, parseSpecial: false);
        Assert.DoesNotContain(start, plain);
        Assert.DoesNotContain(end, plain);
        Assert.Equal("<|im_start|>hi<|im_end|>", tok.Decode(plain));
    }

    [Fact]
    public void UserDefinedTokensAreAlwaysParsed()
    {
        // llama.cpp (like Hugging Face) splits added user-defined tokens out even with parse_special off.
        var tok = VocabFixtures.Load("qwen2");
        int think = tok.TokenId("<think>")!.Value;
        Assert.Equal(TokenType.UserDefined, tok.GetTokenType(think));
        Assert.Equal([think], tok.Encode("<think>", addSpecial: false, parseSpecial: false));
    }

    [Fact]
    public void BosAndEosFollowTheFile()
    {
        var spm = VocabFixtures.Load("llama-spm");
        Assert.True(spm.AddBos);
        Assert.False(spm.AddEos);
        Assert.Equal(spm.BosId, spm.Encode("hi")[0]);
        Assert.NotEqual(spm.BosId, spm.Encode("hi", addSpecial: false)[0]);
        var qwen = VocabFixtures.Load("qwen2");
        Assert.False(qwen.AddBos);
        Assert.Equal(qwen.Encode("hi", addSpecial: false), qwen.Encode("hi"));
        var bert = VocabFixtures.Load("bert-bge");
        var ids = bert.Encode("hi");
        Assert.Equal(bert.BosId, ids[0]);
        Assert.Equal(bert.SeparatorId, ids[^1]);
    }

    [Fact]
    public void SpacePrefixIsAddedAfterSpecialTokens()
    {
        var spm = VocabFixtures.Load("llama-spm");
        var ids = spm.Encode("<s>Hello</s>world", addSpecial: false, parseSpecial: true);
        Assert.Equal([1, 15043, 2, 3186], ids); // ▁Hello and ▁world, as llama-tokenize gives
    }

    [Fact]
    public void EndOfGenerationTokens()
    {
        var qwen = VocabFixtures.Load("qwen2");
        Assert.True(qwen.IsEndOfGeneration(qwen.TokenId("<|im_end|>")!.Value));
        Assert.True(qwen.IsEndOfGeneration(qwen.TokenId("<|endoftext|>")!.Value));
        Assert.False(qwen.IsEndOfGeneration(qwen.TokenId("<|im_start|>")!.Value));
        Assert.Equal(qwen.TokenId("<|im_end|>"), qwen.EosId);
        var spm = VocabFixtures.Load("llama-spm");
        Assert.True(spm.IsEndOfGeneration(2));
        Assert.False(spm.IsEndOfGeneration(1));
    }

    [Fact]
    public void TokenBytesSpellTokens()
    {
        var spm = VocabFixtures.Load("llama-spm");
        Assert.Equal([(byte)'\n'], spm.TokenBytes(spm.TokenId("<0x0A>")!.Value));
        Assert.Equal(" the"u8.ToArray(), spm.TokenBytes(spm.TokenId("▁the")!.Value));
        Assert.Empty(spm.TokenBytes(2));
        Assert.Equal("</s>"u8.ToArray(), spm.TokenBytes(2, renderSpecial: true));
        var gpt2 = VocabFixtures.Load("gpt-2");
        Assert.Equal(" the"u8.ToArray(), gpt2.TokenBytes(gpt2.TokenId("Ġthe")!.Value));
        Assert.Equal("Ġthe", gpt2.TokenText(gpt2.TokenId("Ġthe")!.Value));
    }

    [Fact]
    public void LoneSurrogatesAreEncodedAsReplacementCharacter()
    {
        var tok = VocabFixtures.Load("qwen2");
        Assert.Equal(tok.Encode("a\uFFFDb\uFFFD"), tok.Encode("a\uD800b\uDC00"));
    }

    [Fact]
    public void OutOfRangeIdIsATypedError()
    {
        var tok = VocabFixtures.Load("gpt-2");
        var e = Assert.Throws<TokenizerException>(() => tok.Decode([tok.VocabSize]));
        Assert.Contains(tok.VocabSize.ToString(), e.Message);
        Assert.IsAssignableFrom<PonderException>(e);
    }

    [Fact]
    public void UnknownPreTokenizerNamesItAndTheSupportedOnes()
    {
        var meta = WithKey(Metadata("tiny-qwen2-f32.gguf"), "tokenizer.ggml.pre", "no-such-pre");
        var e = Assert.Throws<TokenizerException>(() => Tokenizer.FromGguf(meta));
        Assert.Contains("'no-such-pre'", e.Message);
        Assert.Contains("qwen2", e.Message);
        Assert.Contains("llama-bpe", e.Message);
    }

    [Fact]
    public void UnknownModelIsATypedError()
    {
        var meta = WithKey(Metadata("tiny-qwen2-f32.gguf"), "tokenizer.ggml.model", "rwkv");
        var e = Assert.Throws<TokenizerException>(() => Tokenizer.FromGguf(meta));
        Assert.Contains("'rwkv'", e.Message);
    }

    [Fact]
    public void MissingPreTokenizerFallsBackToDefaultWithAWarning()
    {
        var meta = Without(Metadata("tiny-qwen2-f32.gguf"), "tokenizer.ggml.pre");
        var tok = Tokenizer.FromGguf(meta);
        Assert.Equal("default", tok.PreTokenizer);
        Assert.Single(tok.Warnings);
    }

    [Fact]
    public void TinyModelsCarryWorkingVocabularies()
    {
        var llama = VocabFixtures.LoadModel("tiny-llama-f32.gguf");
        Assert.Equal(TokenizerKind.SentencePiece, llama.Kind);
        Assert.Equal(512, llama.VocabSize);
        Assert.Equal((1, 2), (llama.BosId, llama.EosId));
        var ids = llama.Encode("the quick brown fox, 😀!");
        Assert.Equal(1, ids[0]);
        Assert.Equal("the quick brown fox, 😀!", llama.Decode(ids));

        var qwen = VocabFixtures.LoadModel("tiny-qwen2-f32.gguf");
        Assert.Equal(TokenizerKind.BytePairEncoding, qwen.Kind);
        Assert.Equal("qwen2", qwen.PreTokenizer);
        Assert.Equal(511, qwen.EosId);
        var q = qwen.Encode("<|im_start|>the quick brown fox 日本<|im_end|>");
        Assert.Equal(510, q[0]);
        Assert.Equal(511, q[^1]);
        Assert.Equal("<|im_start|>the quick brown fox 日本<|im_end|>", qwen.Decode(q, renderSpecial: true));
    }

    static GgufMetadata Metadata(string model)
    {
        using var f = GgufFile.Open(TestData.Model(model));
        return f.Metadata;
    }

    static GgufMetadata WithKey(GgufMetadata m, string key, string value) =>
        new([.. m.Keys.Select(k => KeyValuePair.Create(k, k == key ? new GgufValue(GgufValueType.String, value) : m[k]))]);

    static GgufMetadata Without(GgufMetadata m, string key) =>
        new([.. m.Keys.Where(k => k != key).Select(k => KeyValuePair.Create(k, m[k]))]);
}
