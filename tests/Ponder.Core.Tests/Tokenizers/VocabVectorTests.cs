using Ponder.Tokenizers;

namespace Ponder.Core.Tests.Tokenizers;

/// <summary>llama.cpp's own tokenizer test vectors (test-tokenizer-0): every string of every vocabulary must give
/// exactly the ids llama.cpp gave, tokenized with add_special = false, parse_special = false.</summary>
public class VocabVectorTests
{
    [Theory]
    [MemberData(nameof(VocabFixtures.AllNames), MemberType = typeof(VocabFixtures))]
    public void EveryVectorMatchesLlamaCpp(string vocab)
    {
        var tok = VocabFixtures.Load(vocab);
        var failures = new List<string>();
        var vectors = VocabFixtures.Vectors(vocab);
        foreach (var (text, expected) in vectors)
        {
            var got = tok.Encode(text, addSpecial: false, parseSpecial: false);
            if (!got.AsSpan().SequenceEqual(expected))
                failures.Add($"{Escape(text)}\n   expected [{string.Join(' ', expected)}]\n   got      [{string.Join(' ', got)}]");
        }
        Assert.True(failures.Count == 0, $"{failures.Count}/{vectors.Count} vectors differ for {vocab}:\n" + string.Join("\n", failures));
    }

    [Theory]
    [MemberData(nameof(VocabFixtures.AllNames), MemberType = typeof(VocabFixtures))]
    public void VectorsRoundTripWhereRepresentable(string vocab)
    {
        var tok = VocabFixtures.Load(vocab);
        if (tok.Kind == TokenizerKind.WordPiece) return; // lower-cases and drops accents: not invertible by design
        var failures = new List<string>();
        foreach (var (text, _) in VocabFixtures.Vectors(vocab))
        {
            var ids = tok.Encode(text, addSpecial: false, parseSpecial: false);
            if (ids.Contains(tok.UnknownId ?? -1)) continue; // the vocabulary cannot spell this text
            var back = tok.Decode(ids);
            if (back != text) failures.Add($"{Escape(text)} -> {Escape(back)}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    internal static string Escape(string s) =>
        string.Concat(s.Select(c => c < 0x20 || c is >= '\u007f' and <= '\u00a0' ? $"\\x{(int)c:x2}" : c.ToString()));
}
