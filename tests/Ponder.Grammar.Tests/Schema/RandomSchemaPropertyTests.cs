using Ponder.Grammars.Schema;
using Ponder.Sampling;
using Xunit.Abstractions;

namespace Ponder.Grammars.Tests.Schema;

/// <summary>
/// The converter's central property: every string its grammar can produce is JSON that validates
/// against the schema. Random schemas (seeded) are converted and random strings drawn from each
/// grammar are checked with NJsonSchema.
/// </summary>
public class RandomSchemaPropertyTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(true, 0)]
    [InlineData(true, 1000)]
    [InlineData(false, 2000)]
    public void Every_drawn_output_validates(bool strict, int firstSeed)
    {
        const int schemas = 300, drawsPerSchema = 25;
        var options = new JsonSchemaGbnfOptions { Strict = strict, Whitespace = firstSeed % 2000 == 0 ? JsonWhitespace.Flexible : JsonWhitespace.Compact };
        int refused = 0;
        for (int seed = firstSeed; seed < firstSeed + schemas; seed++)
        {
            var schemaJson = new RandomSchemaGenerator(seed).Next().ToJsonString();
            string gbnf;
            try
            {
                gbnf = JsonSchemaToGbnf.Convert(schemaJson, options);
            }
            catch (JsonSchemaException e)
            {
                // Random bounds can be unsatisfiable; anything else is a converter gap worth seeing.
                refused++;
                output.WriteLine($"seed {seed} refused: {e.Message}");
                continue;
            }
            var validator = SchemaValidation.Load(schemaJson);
            var sampler = new GrammarSampler(Grammar.Parse(gbnf), seed);
            for (int i = 0; i < drawsPerSchema; i++)
            {
                var text = sampler.Sample();
                var errors = SchemaValidation.Errors(validator, text);
                Assert.True(errors.Count == 0,
                    $"seed {seed}, draw {i}\nschema: {schemaJson}\noutput: {text}\nerrors: {string.Join("; ", errors)}\ngrammar:\n{gbnf}");
            }
        }
        Assert.True(refused <= schemas / 5, $"{refused} of {schemas} random schemas were refused");
    }

    /// <summary>
    /// The same property through the compiler and matcher: random walks over token masks (a small
    /// vocabulary with tokens that straddle JSON structure) until the end token is taken.
    /// </summary>
    [Fact]
    public void Every_token_walk_validates()
    {
        var tok = TestTokenizers.SmallJsonish;
        var compiler = new GrammarCompiler();
        var mask = new uint[TokenBitmask.WordCount(tok.VocabSize)];
        var scratch = new List<int>();
        int walks = 0, finished = 0;
        for (int seed = 5000; seed < 5080; seed++)
        {
            var schemaJson = new RandomSchemaGenerator(seed).Next().ToJsonString();
            string gbnf;
            try { gbnf = JsonSchemaToGbnf.Convert(schemaJson); }
            catch (JsonSchemaException) { continue; }
            var compiled = compiler.Compile(gbnf, tok);
            var validator = SchemaValidation.Load(schemaJson);
            for (int w = 0; w < 4; w++)
            {
                walks++;
                if (QwenJsonTests.RandomWalk(compiled.CreateMatcher(), tok, new Random(seed * 10 + w), 400, mask, scratch) is not { } text) continue;
                finished++;
                var errors = SchemaValidation.Errors(validator, text);
                Assert.True(errors.Count == 0, $"seed {seed} walk {w}\nschema: {schemaJson}\noutput: {text}\nerrors: {string.Join("; ", errors)}");
            }
        }
        output.WriteLine($"{finished} of {walks} walks finished");
        Assert.True(finished * 2 > walks, $"only {finished} of {walks} walks finished");
    }
}
