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
        var eos = tok.EosId!.Value;
        var mask = new uint[TokenBitmask.WordCount(tok.VocabSize)];
        var scratch = new List<int>();
        int finished = 0;
        for (int seed = 0; seed < walks; seed++)
        {
            var rng = new Random(seed);
            var m = compiled.CreateMatcher();
            var bytes = new List<byte>();
            for (int step = 0; step < 600 && !m.IsTerminated; step++)
            {
                m.FillNextTokenMask(mask);
                var t = QwenJsonTests.Pick(rng, mask, tok.VocabSize, eos, scratch, tok.TokenText);
                Assert.True(m.Accept(t), $"mask allowed {t} but Accept refused it");
                if (t != eos) bytes.AddRange(tok.TokenBytes(t));
            }
            if (!m.IsTerminated) continue;
            finished++;
            var text = System.Text.Encoding.UTF8.GetString(bytes.ToArray());
            var errors = SchemaValidation.Errors(validator, text);
            Assert.True(errors.Count == 0, $"{label} walk {seed}\noutput: {text}\nerrors: {string.Join("; ", errors)}");
        }
        return finished;
    }
}
