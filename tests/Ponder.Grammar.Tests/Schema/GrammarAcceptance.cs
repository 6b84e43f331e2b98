namespace Ponder.Grammars.Tests.Schema;

/// <summary>Whether a grammar accepts a whole string, through the real compiler and matcher (byte level).</summary>
public static class GrammarAcceptance
{
    private static readonly GrammarCompiler Compiler = new();
    private static readonly Lazy<Ponder.Tokenizers.Tokenizer> Bytes = new(() => TestTokenizers.Small([]));

    public static bool Accepts(string gbnf, string text)
    {
        var m = Compiler.Compile(gbnf, Bytes.Value).CreateMatcher();
        return m.AcceptString(text) && m.CanTerminate;
    }
}
