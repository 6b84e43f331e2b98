using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Ponder.Sampling;

namespace Ponder.Grammars.Tests;

/// <summary>The matcher against the naive recogniser and against itself (mask vs per-token accept), on random
/// grammars over the small vocabulary.</summary>
public class MatcherPropertyTests
{
    static readonly GrammarCompiler Compiler = new();

    static Property ForSeeds(Func<int, bool> check) =>
        Prop.ForAll(Arb.From(Gen.Choose(0, int.MaxValue)), seed =>
        {
            try { return check(seed); }
            catch (Exception e) { throw new Exception($"seed {seed}: {e.Message}", e); }
        });

    [FsCheck.Xunit.Property(MaxTest = 300)]
    public Property Accepts_exactly_what_the_naive_recogniser_accepts() => ForSeeds(seed =>
    {
        var rng = new Random(seed);
        var g = RandomGrammars.Generate(rng);
        if (g == null) return true;
        var compiled = Compiler.Compile(g, TestTokenizers.SmallJsonish);
        var naive = new NaiveRecognizer(g);
        for (var i = 0; i < 20; i++)
        {
            var s = RandomGrammars.RandomString(rng, g);
            var expected = naive.Matches(s);
            var m = compiled.CreateMatcher();
            // Feed the bytes in random chunks, so steps split UTF-8 characters too.
            var bytes = Encoding.UTF8.GetBytes(s);
            var ok = true;
            for (var at = 0; at < bytes.Length && ok;)
            {
                var n = rng.Next(1, 4);
                n = Math.Min(n, bytes.Length - at);
                ok = m.AcceptBytes(bytes.AsSpan(at, n));
                at += n;
            }
            var actual = ok && m.CanTerminate;
            if (actual != expected)
                throw new Exception($"seed {seed}: '{s}' naive={expected} matcher={actual}\n{g}");
        }
        return true;
    });

    [FsCheck.Xunit.Property(MaxTest = 150)]
    public Property Mask_allows_exactly_the_tokens_accept_takes() => ForSeeds(seed => MaskMatchesAccept(Compiler, seed));

    /// <summary>With no rule inlined every reference stays a call, so tokens run past rule ends under callers the
    /// mask cache cannot see: called from one place (decided at compile time) or several (checked at run time).</summary>
    [FsCheck.Xunit.Property(MaxTest = 150)]
    public Property Mask_allows_exactly_the_tokens_accept_takes_when_no_rule_is_inlined() =>
        ForSeeds(seed => MaskMatchesAccept(NoInlining, seed));

    static readonly GrammarCompiler NoInlining = new(new GrammarCompilerOptions { InlineStateLimit = 0 });

    // A cap of 2000 still let one token multiply the stacks past the machine's memory in a full solution run (the
    // test host was OOM-killed at 24 GB); one step from 200 stacks stays far below that.
    const int MaxWalkStacks = 200;

    static bool MaskMatchesAccept(GrammarCompiler compiler, int seed)
    {
        var rng = new Random(seed);
        var g = RandomGrammars.Generate(rng);
        if (g == null) return true;
        var tok = TestTokenizers.SmallJsonish;
        var m = compiler.Compile(g, tok).CreateMatcher();
        var mask = new uint[TokenBitmask.WordCount(tok.VocabSize)];
        // Ambiguous recursion can multiply the stacks at every token (a seed reached 130k stacks at step 3 and ran
        // the test host out of memory a step later): stop there, the steps before have checked the mask.
        for (var step = 0; step < 12 && !m.IsTerminated && m.StackCount <= MaxWalkStacks; step++)
        {
            m.FillNextTokenMask(mask);
            var allowed = new List<int>();
            for (var t = 0; t < tok.VocabSize; t++)
            {
                var accepted = m.Fork().Accept(t);
                if (accepted != TokenBitmask.IsAllowed(mask, t))
                    throw new Exception($"seed {seed} step {step}: token {t} '{tok.TokenText(t)}' mask={!accepted} accept={accepted}\n{g}");
                if (accepted) allowed.Add(t);
            }
            if (allowed.Count == 0) break;
            Assert.True(m.Accept(allowed[rng.Next(allowed.Count)]));
        }
        return true;
    }

    [FsCheck.Xunit.Property(MaxTest = 100)]
    public Property Rollback_and_fork_restore_the_same_masks() => ForSeeds(seed =>
    {
        var rng = new Random(seed);
        var g = RandomGrammars.Generate(rng);
        if (g == null) return true;
        var tok = TestTokenizers.SmallJsonish;
        var m = Compiler.Compile(g, tok).CreateMatcher(maxRollbackTokens: 8);
        var words = TokenBitmask.WordCount(tok.VocabSize);
        var masks = new List<uint[]>();
        var forks = new List<GrammarMatcher>();
        var accepted = 0;
        for (var step = 0; step < 10 && !m.IsTerminated && m.StackCount <= MaxWalkStacks; step++)
        {
            var mask = new uint[words];
            m.FillNextTokenMask(mask);
            masks.Add(mask);
            forks.Add(m.Fork());
            var allowed = Enumerable.Range(0, tok.VocabSize).Where(t => TokenBitmask.IsAllowed(mask, t)).ToArray();
            if (allowed.Length == 0) break;
            Assert.True(m.Accept(allowed[rng.Next(allowed.Length)]));
            accepted++;
        }
        var last = new uint[words];
        m.FillNextTokenMask(last);
        masks.Add(last);
        var again = new uint[words];
        // Each fork still sees its own state after the parent moved on.
        for (var i = 0; i < forks.Count; i++)
        {
            forks[i].FillNextTokenMask(again);
            Assert.Equal(masks[i], again);
        }
        var back = rng.Next(0, Math.Min(accepted, 8) + 1);
        m.Rollback(back);
        m.FillNextTokenMask(again);
        Assert.Equal(masks[accepted - back], again);
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Rollback(m.RollbackAvailable + 1));
        return true;
    });
}
