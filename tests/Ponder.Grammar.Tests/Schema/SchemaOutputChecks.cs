using NJsonSchema;
using Ponder.Sampling;

namespace Ponder.Grammars.Tests.Schema;

/// <summary>The two ways the schema tests draw outputs from a schema's grammar and check each with
/// NJsonSchema: strings drawn from the grammar itself, and random walks over Qwen2.5's token masks (as a
/// random-weight model would sample).</summary>
public static class SchemaOutputChecks
{
    public static void AssertDrawsValidate(string label, JsonSchema validator, string gbnf, int draws = 100)
    {
        var sampler = new GrammarSampler(Grammar.Parse(gbnf), label.Length);
        for (int i = 0; i < draws; i++)
        {
            var text = sampler.Sample();
            var errors = SchemaValidation.Errors(validator, text);
            Assert.True(errors.Count == 0, $"{label} draw {i}\noutput: {text}\nerrors: {string.Join("; ", errors)}");
        }
    }

    /// <summary>Walks with seeds 0..walks-1 (at most 600 tokens each); every finished walk must validate.
    /// Returns how many finished.</summary>
    public static int AssertTokenWalksValidate(string label, JsonSchema validator, CompiledGrammar compiled, int walks)
    {
        var tok = TestTokenizers.Qwen;
        var mask = new uint[TokenBitmask.WordCount(tok.VocabSize)];
        var scratch = new List<int>();
        int finished = 0;
        for (int seed = 0; seed < walks; seed++)
        {
            if (QwenJsonTests.RandomWalk(compiled.CreateMatcher(), tok, new Random(seed), 600, mask, scratch) is not { } text) continue;
            finished++;
            var errors = SchemaValidation.Errors(validator, text);
            Assert.True(errors.Count == 0, $"{label} walk {seed}\noutput: {text}\nerrors: {string.Join("; ", errors)}");
        }
        return finished;
    }
}
