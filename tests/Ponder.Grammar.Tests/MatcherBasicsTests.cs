using Ponder.Sampling;

namespace Ponder.Grammars.Tests;

public class MatcherBasicsTests
{
    static GrammarMatcher Matcher(string gbnf) =>
        new GrammarCompiler().Compile(gbnf, TestTokenizers.SmallJsonish).CreateMatcher();

    [Theory]
    [InlineData("root ::= \"abc\"", "abc", true)]
    [InlineData("root ::= \"abc\"", "ab", false)]
    [InlineData("root ::= [a-c]+", "abcab", true)]
    [InlineData("root ::= [^a]*", "bé😀", true)]
    [InlineData("root ::= x \"!\"\nx ::= \"a\" x | \"b\"", "aaab!", true)]
    [InlineData("root ::= x{2,3}\nx ::= \"é\"", "ééé", true)]
    [InlineData("root ::= x{2,3}\nx ::= \"é\"", "éééé", false)]
    public void Accepts_exactly_the_language(string gbnf, string text, bool complete)
    {
        var m = Matcher(gbnf);
        var ok = m.AcceptString(text) && m.CanTerminate;
        Assert.Equal(complete, ok);
    }

    [Fact]
    public void Mask_allows_eos_only_at_the_end()
    {
        var tok = TestTokenizers.SmallJsonish;
        var m = Matcher("root ::= \"ab\" \"c\"?");
        var mask = new uint[TokenBitmask.WordCount(tok.VocabSize)];
        var eos = tok.EosId!.Value;
        m.FillNextTokenMask(mask);
        Assert.False(TokenBitmask.IsAllowed(mask, eos));
        Assert.True(TokenBitmask.IsAllowed(mask, tok.TokenId("ab")!.Value));
        Assert.True(TokenBitmask.IsAllowed(mask, tok.TokenId("abc")!.Value));
        Assert.True(TokenBitmask.IsAllowed(mask, tok.TokenId("a")!.Value));
        Assert.False(TokenBitmask.IsAllowed(mask, tok.TokenId("b")!.Value));
        Assert.True(m.AcceptString("ab"));
        m.FillNextTokenMask(mask);
        Assert.True(TokenBitmask.IsAllowed(mask, eos));
        Assert.False(TokenBitmask.IsAllowed(mask, tok.TokenId(TestTokenizers.ControlText)!.Value));
        Assert.True(m.Accept(eos));
        Assert.True(m.IsTerminated);
    }
}

public class GrammarCompilerTests
{
    [Fact]
    public void Caches_by_grammar_text_and_tokenizer()
    {
        var c = new GrammarCompiler();
        var a = c.Compile("root ::= \"a\"+", TestTokenizers.SmallJsonish);
        Assert.Same(a, c.Compile("root ::=   \"a\"+  # same rules, other spacing", TestTokenizers.SmallJsonish));
        Assert.NotSame(a, c.Compile("root ::= \"b\"+", TestTokenizers.SmallJsonish));
        Assert.NotSame(a, c.Compile("root ::= \"a\"+", TestTokenizers.Small(["ab"])));
    }
}
