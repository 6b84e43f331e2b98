using System.Diagnostics;
using FsCheck;
using FsCheck.Fluent;
using Ponder.Sampling;
using Ponder.Tokenizers;
using Xunit.Abstractions;

namespace Ponder.Grammars.Tests;

/// <summary>The mask cache that shares work between positions alike to a depth (<see cref="MaskSharingPlan"/>) is
/// exactly the cache that walks every position over the whole vocabulary, and bounded repetitions far longer than
/// any token compile fast and mask exactly.</summary>
public class MaskSharingTests(ITestOutputHelper output)
{
    const string JsonChar = "char ::= [^\"\\\\\\x7F\\x00-\\x1F] | [\\\\] ([\"\\\\bfnrt] | \"u\" [0-9a-fA-F]{4})\n";

    /// <summary>Every position's accepted and context-dependent tokens, shared plan against the reference.</summary>
    static void AssertSameAsUnshared(Grammar g, Tokenizer tok)
    {
        var pda = AutomatonBuilder.Build(g, GrammarCompilerOptions.Default, CancellationToken.None);
        var vocab = SortedVocabulary.For(tok);
        var shared = TokenMaskCache.Build(pda, vocab, () => false, "");
        var reference = TokenMaskCache.Build(pda, vocab, () => false, "", reference: true);
        var words = TokenBitmask.WordCount(tok.VocabSize);
        var a = new uint[words];
        var b = new uint[words];
        for (var s = 0; s < pda.StateCount; s++)
        {
            var x = shared.EntryOfState[s];
            var y = reference.EntryOfState[s];
            Assert.Equal(y == null, x == null);
            if (x == null) continue;
            x.CopyAcceptedTo(a, tok.VocabSize);
            y!.CopyAcceptedTo(b, tok.VocabSize);
            if (!a.AsSpan().SequenceEqual(b))
            {
                var t = Enumerable.Range(0, tok.VocabSize).First(t => TokenBitmask.IsAllowed(a, t) != TokenBitmask.IsAllowed(b, t));
                throw new Exception($"state {s}: token {t} '{tok.TokenText(t)}' accepted={TokenBitmask.IsAllowed(a, t)}, reference {TokenBitmask.IsAllowed(b, t)}\n{g}");
            }
            Assert.True(x.Uncertain.AsSpan().SequenceEqual(y.Uncertain), $"state {s}: context-dependent tokens differ\n{g}");
            Assert.True(x.UncertainLcp.AsSpan().SequenceEqual(y.UncertainLcp));
        }
        Assert.True(shared.EntryCount <= reference.EntryCount);
        Assert.True(shared.TokensWalked <= reference.TokensWalked);
    }

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public Property Shared_cache_equals_the_reference_on_random_grammars() =>
        Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            var g = RandomGrammars.Generate(new Random(seed));
            if (g == null) return true;
            try { AssertSameAsUnshared(g, TestTokenizers.SmallJsonish); }
            catch (Exception e) { throw new Exception($"seed {seed}: {e.Message}", e); }
            return true;
        });

    [Theory]
    [InlineData("root ::= \"a\"{0,12} \"b\"? | (\"ab\" | \"a\"){3,9} \"(\"")]
    [InlineData("root ::= x{2,11} \")\"\nx ::= \"é\" | \"a\" y? \ny ::= \"b\"")]
    [InlineData("root ::= \"(\" s \")\" | s \"a\"\ns ::= [^()]{0,14}")]
    [InlineData("root ::= \"(\" (e \",\"){0,10} \")\"\ne ::= \"\" | \"a\" e")]
    public void Shared_cache_equals_the_reference_on_long_repetitions_small_vocabulary(string gbnf) =>
        AssertSameAsUnshared(Grammar.Parse(gbnf), TestTokenizers.SmallJsonish);

    [Fact]
    public void Calls_into_rules_that_may_match_nothing_are_compared_by_return_state()
    {
        // After "(" the callee e may return at once, so what follows its return ("," and the next iteration) is at
        // the same depth as the call: tokens that cross several iterations tell the positions apart.
        var tok = TestTokenizers.Small(["(,", "(,(,", "(,(,(,", "(,(,)", ",(", ",)", "a,(", "(a,(a,", "(,(,(,(,)"]);
        AssertSameAsUnshared(Grammar.Parse("root ::= (\"(\" e \",\"){0,6} \")\"\ne ::= \"\" | \"a\" e"), tok);
    }

    [Fact]
    public void Shared_cache_equals_the_reference_on_long_repetitions_qwen()
    {
        // Longer than Qwen's longest token (128 bytes), in a rule called from two places so tokens that run past
        // its end are context-dependent.
        var g = Grammar.Parse("root ::= \"[\" str (\",\" str)* \"]\"\nstr ::= \"\\\"\" [^\"\\\\\\n]{0,140} \"\\\"\"");
        AssertSameAsUnshared(g, TestTokenizers.Qwen);
    }

    /// <summary>Mask against per-token accept over the whole Qwen vocabulary, after <paramref name="prefix"/>.</summary>
    internal static void AssertMaskIsExact(CompiledGrammar compiled, string prefix)
    {
        var tok = compiled.Tokenizer;
        var m = compiled.CreateMatcher();
        Assert.True(m.AcceptString(prefix), $"prefix of {prefix.Length} chars refused");
        var mask = new uint[TokenBitmask.WordCount(tok.VocabSize)];
        m.FillNextTokenMask(mask);
        for (var t = 0; t < tok.VocabSize; t++)
            if (m.Fork().Accept(t) != TokenBitmask.IsAllowed(mask, t))
                throw new Exception($"after {prefix.Length} chars: token {t} '{tok.TokenText(t)}' mask={TokenBitmask.IsAllowed(mask, t)}");
    }

    [Fact]
    public void Bounded_repetition_masks_are_exact_at_every_distance_from_the_bound()
    {
        var compiled = new GrammarCompiler().Compile("root ::= item{1,2}\nitem ::= \"- \" [^\\n]{1,200} \"\\n\"", TestTokenizers.Qwen);
        output.WriteLine($"compile {compiled.CompileTime.TotalMilliseconds:0} ms, {compiled.StateCount} states, {compiled.MaskCacheEntries} masks");
        // 1 to 200 characters: far from the bound (the positions that share one entry), at the longest token's
        // length and around it, and the last few; with multi-byte characters, so bytes and characters differ.
        foreach (var chars in new[] { 0, 1, 2, 50, 71, 72, 73, 100, 190, 196, 197, 198, 199, 200 })
            AssertMaskIsExact(compiled, "- " + new string('x', chars));
        AssertMaskIsExact(compiled, "- " + string.Concat(Enumerable.Repeat("é", 195)));
        AssertMaskIsExact(compiled, "- " + string.Concat(Enumerable.Repeat("日本", 60)) + "\n- ab");
    }

    [Fact]
    public void String_max_length_1000_and_max_items_50_compile_and_mask_exactly()
    {
        // What a JSON Schema converter emits for a string with maxLength and an array with maxItems.
        var gbnf = TestGrammars.Read("string-limits.gbnf");
        var sw = Stopwatch.StartNew();
        var compiled = new GrammarCompiler().Compile(gbnf, TestTokenizers.Qwen);
        output.WriteLine($"compile {sw.ElapsedMilliseconds} ms, {compiled.StateCount} states, {compiled.MaskCacheEntries} masks, "
                         + $"{compiled.MaskTokensWalked} tokens walked");
        // The precompute walks about as much as for a handful of positions, not one vocabulary per copy.
        Assert.True(compiled.MaskTokensWalked < 10_000_000, $"{compiled.MaskTokensWalked} tokens walked");
        AssertMaskIsExact(compiled, "{\"name\": \"" + new string('a', 999));
        AssertMaskIsExact(compiled, "{\"name\": \"" + new string('a', 1000));
        AssertMaskIsExact(compiled, "{\"name\": \"" + new string('a', 870) + "\\u00");
        var tags = string.Join(", ", Enumerable.Repeat("{\"k\": \"" + new string('b', 250) + "\", \"v\": 7}", 49));
        AssertMaskIsExact(compiled, "{\"name\": \"\", \"tags\": [" + tags + ", {\"k\": \"bb");
        AssertMaskIsExact(compiled, "{\"name\": \"\", \"tags\": [" + tags + ", {\"k\": \"\", \"v\": 12");
    }

    [Fact]
    public void Repetitions_past_the_state_cap_fail_fast_with_the_cap_error()
    {
        var sw = Stopwatch.StartNew();
        var e = Assert.Throws<GrammarException>(() =>
            new GrammarCompiler().Compile("root ::= \"\\\"\" char{0,10000} char{0,10000} \"\\\"\"\n" + JsonChar, TestTokenizers.Qwen));
        Assert.Contains("more than 250000 automaton states", e.Message);
        output.WriteLine($"{sw.ElapsedMilliseconds} ms: {e.Message}");
    }

    [Fact]
    public void Positions_further_from_the_bound_than_the_longest_token_share_one_entry()
    {
        // Every position of [a-z]{0,3000} with 128 or more left behaves alike for any Qwen token: one entry for them.
        var compiled = new GrammarCompiler().Compile("root ::= [a-z]{0,3000} \".\"", TestTokenizers.Qwen);
        output.WriteLine($"{compiled.MaskCacheEntries} masks, {compiled.MaskTokensWalked} tokens walked");
        Assert.InRange(compiled.MaskCacheEntries, 120, 140);
        AssertMaskIsExact(compiled, new string('q', 2890));
        AssertMaskIsExact(compiled, new string('q', 2999));
    }
}
