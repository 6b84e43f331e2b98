using System.Text;
using Ponder.Grammars.Schema;
using Ponder.Grammars.Tests.Schema;
using Ponder.Sampling;

namespace Ponder.Grammars.Tests;

/// <summary>A token budget must end every output as a complete string of the grammar, even for a "model" that
/// avoids closing anything for as long as the mask lets it.</summary>
public class TokenBudgetMatcherTests
{
    static readonly GrammarCompiler Compiler = new();

    /// <summary>A rambling model: never ends or closes voluntarily while anything else is allowed.</summary>
    static int Ramble(Random rng, ReadOnlySpan<uint> mask, Ponder.Tokenizers.Tokenizer tok, List<int> scratch)
    {
        scratch.Clear();
        var all = new List<int>();
        for (var t = 0; t < tok.VocabSize; t++)
        {
            if (!TokenBitmask.IsAllowed(mask, t)) continue;
            all.Add(t);
            var text = tok.IsEndOfGeneration(t) || t == tok.EosId ? "" : tok.TokenText(t);
            if (text.Length > 0 && text.IndexOfAny(['"', '}', ']']) < 0) scratch.Add(t);
        }
        var pool = scratch.Count > 0 ? scratch : all;
        return pool[rng.Next(pool.Count)];
    }

    [Theory]
    [MemberData(nameof(SchemaCorpus.Files), MemberType = typeof(SchemaCorpus))]
    public void Rambling_walks_end_complete_within_the_budget(string file)
    {
        var schemaJson = SchemaCorpus.Read(file);
        var tok = TestTokenizers.SmallJsonish;
        var compiled = Compiler.Compile(JsonSchemaToGbnf.Convert(schemaJson), tok);
        var validator = SchemaValidation.Load(schemaJson);
        var mask = new uint[TokenBitmask.WordCount(tok.VocabSize)];
        var scratch = new List<int>();
        var minimal = compiled.CreateMatcher().ShortestCompletionLength();
        foreach (var budget in new[] { (int)minimal + 1, (int)minimal + 40, 3 * (int)minimal + 100 })
        {
            for (var seed = 0; seed < 3; seed++)
            {
                var rng = new Random(seed * 1000 + budget);
                var m = new TokenBudgetMatcher(compiled.CreateMatcher(), budget);
                var bytes = new List<byte>();
                for (var step = 0; step < budget && !m.IsTerminated; step++)
                {
                    m.FillNextTokenMask(mask);
                    var t = Ramble(rng, mask, tok, scratch);
                    Assert.True(m.Accept(t), $"{file}: mask allowed {t} but Accept refused it");
                    if (!m.IsTerminated) bytes.AddRange(tok.TokenBytes(t));
                }
                var text = Encoding.UTF8.GetString(bytes.ToArray());
                Assert.True(m.IsTerminated, $"{file} budget {budget} seed {seed}: not finished within the budget\noutput: {text}");
                var errors = SchemaValidation.Errors(validator, text);
                Assert.True(errors.Count == 0, $"{file} budget {budget} seed {seed}\noutput: {text}\nerrors: {string.Join("; ", errors)}");
            }
        }
    }

    [Fact]
    public void Shortest_completion_of_a_fresh_object_schema_is_a_minimal_valid_value()
    {
        var schema = """{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}},"required":["a","b"]}""";
        var tok = TestTokenizers.SmallJsonish;
        var m = Compiler.Compile(JsonSchemaToGbnf.Convert(schema), tok).CreateMatcher();
        var rest = Encoding.UTF8.GetString(m.ShortestCompletion());
        Assert.Equal("""{"a":"","b":0}""", rest);
        Assert.Equal(rest.Length, m.ShortestCompletionLength());
        Assert.True(m.AcceptString("{\"a\":\"xy"));
        Assert.Equal("\",\"b\":0}", Encoding.UTF8.GetString(m.ShortestCompletion()));
    }

    [Fact]
    public void Fork_and_rollback_keep_the_count()
    {
        var tok = TestTokenizers.SmallJsonish;
        var compiled = Compiler.Compile(JsonSchemaToGbnf.AnyJsonObject(), tok);
        var m = new TokenBudgetMatcher(compiled.CreateMatcher(), 50);
        Assert.True(m.Accept(tok.Encode("{")[0]));
        var f = m.Fork();
        Assert.Equal(49, f.TokensLeft);
        Assert.True(f.Accept(tok.Encode("}")[0]));
        Assert.Equal(48, f.TokensLeft);
        Assert.Equal(49, m.TokensLeft);
        f.Rollback(1);
        Assert.Equal(49, f.TokensLeft);
    }
}
