namespace Ponder.Grammars.Tests;

public class GbnfParserTests
{
    [Fact]
    public void Parses_a_rule_with_every_construct()
    {
        var g = Grammar.Parse("""
            # comment
            root ::= "a\x41\u00e9\U0001F600\t\"" [^a-z\]\-] item* item+ item? item{2} item{1,3} item{2,} item{,2} (item | "x") . # trailing
            item ::= [0-9]
            """);
        Assert.Equal(2, g.Rules.Count);
        Assert.Equal("root", g.RootRule);
        var lit = Assert.IsType<GrammarLiteral>(Assert.IsType<GrammarSequence>(g["root"].Body).Items[0]);
        Assert.Equal(new[] { 'a', 'A', 0xE9, 0x1F600, '\t', '"' }, lit.CodePoints);
        var text = g.ToString();
        Assert.Equal(text, Grammar.Parse(text).ToString());
    }

    [Theory]
    [InlineData("json.gbnf")]
    [InlineData("person-schema.gbnf")]
    [InlineData("tool-call-schema.gbnf")]
    [InlineData("arithmetic.gbnf")]
    [InlineData("list.gbnf")]
    [InlineData("string-limits.gbnf")]
    public void Parses_the_example_grammars_and_prints_them_back(string file)
    {
        var g = Grammar.Parse(TestGrammars.Read(file));
        Assert.Equal(g.ToString(), Grammar.Parse(g.ToString()).ToString());
    }

    [Fact]
    public void Newlines_continue_a_rule_inside_groups_and_after_bars()
    {
        var g = Grammar.Parse("root ::= (\n  \"a\"\n  \"b\"\n) |\n  \"c\"\n\nother ::= \"d\"\n");
        Assert.Equal(2, g.Rules.Count);
        var m = new NaiveRecognizer(g);
        Assert.True(m.Matches("ab"));
        Assert.True(m.Matches("c"));
    }

    [Fact]
    public void Choose_another_root()
    {
        var g = Grammar.Parse("start ::= \"x\"", rootRule: "start");
        Assert.Equal("start", g.RootRule);
    }
}
