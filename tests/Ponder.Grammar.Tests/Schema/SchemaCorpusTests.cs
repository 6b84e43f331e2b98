using Ponder.Grammars.Schema;
using Ponder.Sampling;
using Xunit.Abstractions;

namespace Ponder.Grammars.Tests.Schema;

/// <summary>The realistic schema corpus: each converts, and whatever its grammar produces validates.</summary>
public class SchemaCorpusTests(ITestOutputHelper output)
{
    static readonly GrammarCompiler Compiler = new();

    [Fact]
    public void Corpus_has_at_least_twenty_schemas() => Assert.True(SchemaCorpus.Files().Count() >= 20);

    [Theory]
    [MemberData(nameof(SchemaCorpus.Files), MemberType = typeof(SchemaCorpus))]
    public void Drawn_strings_validate(string file)
    {
        var schemaJson = SchemaCorpus.Read(file);
        var gbnf = JsonSchemaToGbnf.Convert(schemaJson);
        var validator = SchemaValidation.Load(schemaJson);
        var sampler = new GrammarSampler(Grammar.Parse(gbnf), file.Length);
        for (int i = 0; i < 100; i++)
        {
            var text = sampler.Sample();
            var errors = SchemaValidation.Errors(validator, text);
            Assert.True(errors.Count == 0, $"{file} draw {i}\noutput: {text}\nerrors: {string.Join("; ", errors)}");
        }
    }

    /// <summary>
    /// Random walks through the matcher's token masks over Qwen2.5's vocabulary, as a random-weight
    /// model would sample: every finished walk must be valid JSON that validates.
    /// </summary>
    [Theory]
    [MemberData(nameof(SchemaCorpus.Files), MemberType = typeof(SchemaCorpus))]
    public void Token_walks_validate(string file)
    {
        var schemaJson = SchemaCorpus.Read(file);
        var tok = TestTokenizers.Qwen;
        var compiled = Compiler.Compile(JsonSchemaToGbnf.Convert(schemaJson), tok);
        output.WriteLine($"{file}: compile {compiled.CompileTime.TotalMilliseconds:0} ms, {compiled.StateCount} states");
        var validator = SchemaValidation.Load(schemaJson);
        var eos = tok.EosId!.Value;
        var mask = new uint[TokenBitmask.WordCount(tok.VocabSize)];
        var scratch = new List<int>();
        int finished = 0;
        for (int seed = 0; seed < 6; seed++)
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
            Assert.True(errors.Count == 0, $"{file} walk {seed}\noutput: {text}\nerrors: {string.Join("; ", errors)}");
        }
        output.WriteLine($"{finished} of 6 walks finished");
    }
}
