namespace Ponder.Grammars.Tests;

public class GbnfParserTests
{
    [Fact]
    public void Parses_a_rule_with_every_construct()
    {
        var g = Grammar.Parse("""
            # comment
            root ::= "a\x41\u00e9" [^a-z\]] item* item+ item? item{2} item{1,3} item{2,} (item | "x") . # trailing
            item ::= [0-9]
            """);
        Assert.Equal(2, g.Rules.Count);
        Assert.Equal("root", g.RootRule);
        var text = g.ToString();
        Assert.Equal(text, Grammar.Parse(text).ToString());
    }
}
