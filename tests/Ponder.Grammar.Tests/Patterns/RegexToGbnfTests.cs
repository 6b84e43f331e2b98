using System.Text.RegularExpressions;
using Ponder.Grammars.Patterns;
using Ponder.Grammars.Tests.Schema;

namespace Ponder.Grammars.Tests.Patterns;

public class RegexToGbnfTests
{
    public static TheoryData<string> Patterns => new()
    {
        "abc", "a|b|", "[a-c]+x?", "(ab|cd){2,3}", "\\d{3}-\\d{4}", "[^a-z]{1,4}", "\\w+@\\w+\\.(com|org)",
        "(?:x|y)*z", "[\\s\\S]{0,3}", ".{2}", "\\x41\\u00e9\\u{1F600}x😀", "[\\-\\]\\\\^]+", "a{2,}", "(?<year>\\d{4})-(?<m>0[1-9]|1[0-2])",
        "[\\D][\\W][\\S]", "\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\/", "x{,3}", "\\t\\n\\r\\f\\v\\0", "\\cJ",
    };

    /// <summary>Every string drawn from the grammar is a full match of the regex (checked by .NET's engine).</summary>
    [Theory]
    [MemberData(nameof(Patterns))]
    public void Drawn_strings_fully_match(string pattern)
    {
        var gbnf = RegexToGbnf.Convert(pattern);
        var sampler = new GrammarSampler(Grammar.Parse(gbnf), pattern.Length) { NonAsciiRate = 0.3 };
        var regex = new Regex("^(?:" + pattern.Replace("\\u{1F600}", "\\uD83D\\uDE00") + ")$");
        for (int i = 0; i < 200; i++)
        {
            var s = sampler.Sample();
            Assert.True(regex.IsMatch(s), $"/{pattern}/ drew {Escape(s)}\n{gbnf}");
        }
    }

    [Theory]
    [InlineData("^a+$", "aaa", "b")]
    [InlineData("a|bc", "bc", "ab")]
    [InlineData("[^0-9]", "é", "5")]
    [InlineData("colou?r", "color", "colouur")]
    [InlineData("\\d{2,3}", "123", "1234")]
    [InlineData(".", "x", "\n")]
    [InlineData("[^]", "\n", "ab")]
    [InlineData("[]?a", "a", "b")]
    public void Whole_string_acceptance(string pattern, string accepted, string rejected)
    {
        var gbnf = RegexToGbnf.Convert(pattern);
        Assert.True(GrammarAcceptance.Accepts(gbnf, accepted));
        Assert.False(GrammarAcceptance.Accepts(gbnf, rejected));
    }

    [Theory]
    [InlineData("(a)\\1", "backreferences")]
    [InlineData("\\k<n>", "named backreferences")]
    [InlineData("a(?=b)", "lookahead")]
    [InlineData("a(?!b)", "lookahead")]
    [InlineData("(?<=a)b", "lookbehind")]
    [InlineData("(?<!a)b", "lookbehind")]
    [InlineData("\\bx", "word boundary")]
    [InlineData("a^b", "anchors")]
    [InlineData("(a$)b", "anchors")]
    [InlineData("\\p{L}", "Unicode property")]
    [InlineData("*a", "nothing to repeat")]
    [InlineData("a**", "nothing to repeat")]
    [InlineData("(a", "missing ')'")]
    [InlineData("a)", "unmatched ')'")]
    [InlineData("[a", "missing ']'")]
    [InlineData("[z-a]", "out of order")]
    [InlineData("a{3,1}", "min > max")]
    [InlineData("\\", "ends with")]
    [InlineData("(?i)a", "unsupported group")]
    public void Unsupported_constructs_are_refused(string pattern, string problem)
    {
        var e = Assert.Throws<RegexPatternException>(() => RegexToGbnf.Convert(pattern));
        Assert.Contains(problem, e.Message);
        Assert.Equal(pattern, e.Pattern);
    }

    [Fact]
    public void Json_content_escapes_what_json_must()
    {
        // The pattern's '"' and '\' and newline appear escaped inside the JSON string.
        var content = RegexToGbnf.JsonStringContent("^[\"\\\\\\n]$", "char");
        var gbnf = $"root ::= \"\\\"\" ( {content} ) \"\\\"\"\nchar ::= [a]";
        Assert.True(GrammarAcceptance.Accepts(gbnf, "\"\\\"\""));
        Assert.True(GrammarAcceptance.Accepts(gbnf, "\"\\\\\""));
        Assert.True(GrammarAcceptance.Accepts(gbnf, "\"\\n\""));
        Assert.False(GrammarAcceptance.Accepts(gbnf, "\"\"\""));
        Assert.False(GrammarAcceptance.Accepts(gbnf, "\"\n\""));
    }

    private static string Escape(string s) => string.Concat(s.Select(c => c < 0x20 || c > 0x7E ? $"\\u{(int)c:X4}" : c.ToString()));
}
