namespace Ponder.Grammars.Tests;

/// <summary>Bad grammars fail with a typed error that says what and where.</summary>
public class GrammarErrorTests
{
    [Theory]
    [InlineData("root ::= \"abc", "Unterminated string literal", 1, 10)]
    [InlineData("root ::= [a-z", "Unterminated character class", 1, 10)]
    [InlineData("root = \"a\"", "Expected '::='", 1, 6)]
    [InlineData("root ::= \"a\"\n  \"b\"", "Expected a rule name", 2, 3)]
    [InlineData("root ::= (\"a\"", "Expected ')'", 1, 10)]
    [InlineData("root ::= * \"a\"", "must follow an item", 1, 10)]
    [InlineData("root ::= \"\\q\"", "Unknown escape", 1, 11)]
    [InlineData("root ::= [z-a]", "backwards", 1, 13)]
    [InlineData("root ::= \"a\"{3,2}", "maximum below its minimum", 1, 18)]
    [InlineData("root ::= \"a\"{99999}", "Repetition bound", 1, 14)]
    [InlineData("root ::= item\n", "Undefined rule 'item'", 1, 10)]
    [InlineData("item ::= \"a\"", "no 'root' rule", 0, 0)]
    [InlineData("root ::= \"a\"\nroot ::= \"b\"", "defined twice", 2, 1)]
    [InlineData("root ::= expr\nexpr ::= expr \"+\" num | num\nnum ::= [0-9]+", "Left recursion", 2, 10)]
    [InlineData("root ::= a\na ::= b? a \"x\" | \"y\"\nb ::= \"b\"", "Left recursion", 2, 10)]
    [InlineData("root ::= loop | \"\"\nloop ::= \"a\" loop", "can never produce a finite string", 2, 1)]
    [InlineData("root ::= <[1234]>", "Token references", 1, 10)]
    public void Reports_what_and_where(string gbnf, string message, int line, int column)
    {
        var e = Assert.Throws<GrammarException>(() => Grammar.Parse(gbnf));
        Assert.Contains(message, e.Message);
        Assert.Equal(line, e.Line);
        Assert.Equal(column, e.Column);
        if (line > 0) Assert.Contains($"line {line}, column {column}", e.Message);
    }

    [Fact]
    public void State_cap_is_a_clear_error()
    {
        var options = new GrammarCompilerOptions { MaxStates = 1000 };
        var e = Assert.Throws<GrammarException>(() =>
            new GrammarCompiler(options).Compile("root ::= [a-z]{2000}", TestTokenizers.SmallJsonish));
        Assert.Contains("more than 1000 automaton states", e.Message);
    }

    [Fact]
    public void Time_cap_is_a_clear_error()
    {
        var options = new GrammarCompilerOptions { MaxCompileTime = TimeSpan.FromMilliseconds(1) };
        var e = Assert.Throws<GrammarException>(() =>
            new GrammarCompiler(options).Compile("root ::= [^\\n]{1,3000}", TestTokenizers.Qwen));
        Assert.Contains("took longer than", e.Message);
    }
}
