using Xunit.Abstractions;

namespace Ponder.Grammars.Tests;

/// <summary>What the mask cache decides at compile time and what it leaves to run time: tokens that run past the end
/// of a rule depend on its caller, which is known when the rule is called from one place only.</summary>
public class TokenMaskCacheTests(ITestOutputHelper output)
{
    // Too many states to inline (as the schema converter's strings with a maxLength are), so callers call it.
    const string Str = "str ::= \"\\\"\" [a-z ]{0,300} \"\\\"\"\n";

    [Fact]
    public void Tokens_that_leave_a_rule_called_from_one_place_are_decided_at_compile_time()
    {
        var compiled = new GrammarCompiler().Compile("root ::= \"{\\\"q\\\": \" str (\", \\\"n\\\": \" [0-9]+)? \"}\"\n" + Str, TestTokenizers.Qwen);
        output.WriteLine($"{compiled.StateCount} states, {compiled.MaskCacheEntries} masks, {compiled.ContextDependentTokens} context-dependent");
        // `",` and `"}` close the string and go on in its only caller: nothing is left to check at run time.
        Assert.Equal(0, compiled.ContextDependentTokens);
        foreach (var chars in new[] { 0, 1, 5, 150, 296, 299, 300 })
            MaskSharingTests.AssertMaskIsExact(compiled, "{\"q\": \"" + new string('a', chars));
        MaskSharingTests.AssertMaskIsExact(compiled, "{\"q\": \"ab\"");
        MaskSharingTests.AssertMaskIsExact(compiled, "{\"q\": \"ab\", \"n\": 4");
    }

    [Fact]
    public void Tokens_that_leave_a_rule_called_from_two_places_stay_context_dependent()
    {
        var compiled = new GrammarCompiler().Compile("root ::= \"[\" str \", \" str \"]\"\n" + Str, TestTokenizers.Qwen);
        output.WriteLine($"{compiled.StateCount} states, {compiled.MaskCacheEntries} masks, {compiled.ContextDependentTokens} context-dependent");
        // `",` goes on after the first string and not after the second: only the real stack tells them apart.
        Assert.True(compiled.ContextDependentTokens > 0);
        foreach (var chars in new[] { 0, 3, 299, 300 })
        {
            MaskSharingTests.AssertMaskIsExact(compiled, "[\"" + new string('a', chars));
            MaskSharingTests.AssertMaskIsExact(compiled, "[\"x\", \"" + new string('a', chars));
        }
    }

    [Fact]
    public void The_root_called_from_one_place_may_still_be_the_whole_text()
    {
        // Nested, the token `])` closes a parenthesis; at the top the text ends after `]`: the root's one caller is
        // not the only thing that may lie below it.
        var compiled = new GrammarCompiler().Compile("root ::= \"(\" root \")\" | \"]\"", TestTokenizers.Qwen);
        foreach (var prefix in new[] { "", "(", "((" })
            MaskSharingTests.AssertMaskIsExact(compiled, prefix);
    }
}
