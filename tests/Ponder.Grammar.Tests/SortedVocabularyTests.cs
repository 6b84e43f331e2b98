using System.Text;

namespace Ponder.Grammars.Tests;

public class SortedVocabularyTests
{
    /// <summary>The token budget steers with the tokens that begin the shortest completion; the binary-search
    /// enumeration must find exactly what scanning every token with that first byte finds.</summary>
    [Theory]
    [InlineData("\",\"name\":\"\"}")]
    [InlineData(" \"items\": []}\n")]
    [InlineData("}]}")]
    [InlineData("                \"x\"")]
    [InlineData("0")]
    [InlineData("\u00e9t\u00e9\"")]
    public void Prefix_tokens_are_exactly_the_tokens_that_begin_the_text(string text)
    {
        var vocab = SortedVocabulary.For(TestTokenizers.Qwen);
        var bytes = Encoding.UTF8.GetBytes(text);
        var expected = new List<int>();
        for (int i = vocab.FirstByteStart[bytes[0]], end = vocab.FirstByteStart[bytes[0] + 1]; i < end; i++)
            if (bytes.AsSpan().StartsWith(vocab.TokenAt(i))) expected.Add(i);
        var found = new IntBuffer();
        vocab.PrefixTokens(bytes, found);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, found.Span.ToArray());
    }
}
