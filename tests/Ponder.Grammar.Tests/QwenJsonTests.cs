using System.Text;
using System.Text.Json;
using Ponder.Sampling;
using Xunit.Abstractions;

namespace Ponder.Grammars.Tests;

/// <summary>JSON grammars over Qwen2.5's 151k-token vocabulary: random walks through the mask end in valid JSON,
/// and the mask agrees with per-token accept on the real vocabulary.</summary>
public class QwenJsonTests(ITestOutputHelper output)
{
    static readonly GrammarCompiler Compiler = new();

    /// <summary>Picks a random allowed token, leaning towards tokens that close things so walks end.</summary>
    internal static int Pick(Random rng, ReadOnlySpan<uint> mask, int vocab, int eos, List<int> scratch, Func<int, string> text)
    {
        scratch.Clear();
        for (var t = 0; t < vocab; t++)
            if (TokenBitmask.IsAllowed(mask, t)) scratch.Add(t);
        if (TokenBitmask.IsAllowed(mask, eos) && rng.Next(2) == 0) return eos;
        if (rng.Next(3) == 0)
        {
            var closing = scratch.FindAll(t => text(t) is "\"" or "}" or "]" or "0" or "1" or "\"}" or "\"]" or "true");
            if (closing.Count > 0) return closing[rng.Next(closing.Count)];
        }
        return scratch[rng.Next(scratch.Count)];
    }

    /// <summary>Walks the matcher with <see cref="Pick"/> for at most <paramref name="maxTokens"/> tokens, asserting that
    /// every token the mask allows is accepted; the text generated when the walk ended, or null when it did not.</summary>
    internal static string? RandomWalk(GrammarMatcher m, Ponder.Tokenizers.Tokenizer tok, Random rng, int maxTokens, uint[] mask, List<int> scratch)
    {
        int eos = tok.EosId!.Value;
        var bytes = new List<byte>();
        for (var step = 0; step < maxTokens && !m.IsTerminated; step++)
        {
            m.FillNextTokenMask(mask);
            var t = Pick(rng, mask, tok.VocabSize, eos, scratch, tok.TokenText);
            Assert.True(m.Accept(t), $"mask allowed {t} but Accept refused it");
            if (t != eos) bytes.AddRange(tok.TokenBytes(t));
        }
        return m.IsTerminated ? Encoding.UTF8.GetString(bytes.ToArray()) : null;
    }

    [Theory]
    [InlineData("json.gbnf")]
    [InlineData("person-schema.gbnf")]
    [InlineData("tool-call-schema.gbnf")]
    public void Random_walks_produce_valid_json(string file)
    {
        var tok = TestTokenizers.Qwen;
        var compiled = Compiler.Compile(TestGrammars.Read(file), tok);
        output.WriteLine($"{file}: compile {compiled.CompileTime.TotalMilliseconds:0} ms, {compiled.StateCount} states, " +
                         $"{compiled.MaskCacheEntries} cached masks, {compiled.ContextDependentTokens} context-dependent tokens");
        var mask = new uint[TokenBitmask.WordCount(tok.VocabSize)];
        var scratch = new List<int>();
        var finished = 0;
        for (var seed = 0; seed < 12; seed++)
        {
            if (RandomWalk(compiled.CreateMatcher(), tok, new Random(seed), 300, mask, scratch) is not { } s) continue;
            finished++;
            using var doc = JsonDocument.Parse(s); // throws when the grammar let invalid JSON through
            if (file == "person-schema.gbnf")
            {
                Assert.Equal(JsonValueKind.String, doc.RootElement.GetProperty("name").ValueKind);
                Assert.Equal(JsonValueKind.Number, doc.RootElement.GetProperty("age").ValueKind);
            }
        }
        output.WriteLine($"{finished} of 12 walks ended");
        Assert.True(finished >= 6, $"only {finished} walks ended");
    }

    [Fact]
    public void Mask_matches_per_token_accept_on_the_full_vocabulary()
    {
        var tok = TestTokenizers.Qwen;
        var compiled = Compiler.Compile(TestGrammars.Read("json.gbnf"), tok);
        var m = compiled.CreateMatcher();
        var mask = new uint[TokenBitmask.WordCount(tok.VocabSize)];
        // States that matter: start, inside an object key, inside a string value, after a number, nested arrays.
        foreach (var prefix in new[] { "", "{\"ke", "{\"key\": \"va", "{\"a\": [1, 2", "{\"a\": [[{\"b\": 12.5e", "[\"x\\u00" })
        {
            var f = m.Fork();
            Assert.True(f.AcceptString(prefix));
            f.FillNextTokenMask(mask);
            for (var t = 0; t < tok.VocabSize; t++)
                Assert.True(f.Fork().Accept(t) == TokenBitmask.IsAllowed(mask, t), $"after '{prefix}': token {t} '{tok.TokenText(t)}'");
        }
    }

    /// <summary>A matcher replays the context-dependent verdicts of stack sets it walked before; along random walks
    /// (strings, where sets repeat, and rollbacks that return to earlier sets) its masks must equal those of a
    /// fresh matcher, which walks everything, fed the same tokens.</summary>
    [Theory]
    [InlineData("person-schema.gbnf")]
    [InlineData("tool-call-schema.gbnf")]
    [InlineData("json.gbnf")]
    public void Replayed_masks_equal_fresh_masks(string file)
    {
        var tok = TestTokenizers.Qwen;
        var compiled = Compiler.Compile(TestGrammars.Read(file), tok);
        var eos = tok.EosId!.Value;
        var warm = new uint[TokenBitmask.WordCount(tok.VocabSize)];
        var cold = new uint[warm.Length];
        var scratch = new List<int>();
        for (var seed = 0; seed < 4; seed++)
        {
            var rng = new Random(seed);
            var m = compiled.CreateMatcher();
            var tokens = new List<int>();
            for (var step = 0; step < 120 && !m.IsTerminated; step++)
            {
                m.FillNextTokenMask(warm);
                var fresh = compiled.CreateMatcher();
                foreach (var t in tokens) Assert.True(fresh.Accept(t));
                fresh.FillNextTokenMask(cold);
                Assert.True(warm.AsSpan().SequenceEqual(cold), $"{file}, seed {seed}, step {step}: masks differ");
                if (tokens.Count > 2 && rng.Next(8) == 0)
                {
                    m.Rollback(2);
                    tokens.RemoveRange(tokens.Count - 2, 2);
                    continue;
                }
                var next = Pick(rng, warm, tok.VocabSize, eos, scratch, tok.TokenText);
                Assert.True(m.Accept(next));
                tokens.Add(next);
            }
        }
    }
}
