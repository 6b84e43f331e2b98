using System.Collections.Concurrent;
using Ponder.Gguf;
using Ponder.Tokenizers;

namespace Ponder.Core.Tests.Tokenizers;

/// <summary>The reference vocabularies of testdata/vocab (made with llama.cpp), loaded once per test run.</summary>
public static class VocabFixtures
{
    public static readonly string[] Names =
        ["llama-spm", "phi-3", "gpt-2", "qwen2", "deepseek-llm", "deepseek-coder", "falcon", "starcoder", "mpt", "refact", "bert-bge"];

    static readonly ConcurrentDictionary<string, Lazy<Tokenizer>> Cache = new();

    public static Tokenizer Load(string name) =>
        Cache.GetOrAdd(name, n => new Lazy<Tokenizer>(() =>
        {
            using var f = GgufFile.FromBytes(TestData.Gunzip(TestData.Vocab($"ggml-vocab-{n}.gguf.gz")));
            return Tokenizer.FromGguf(f.Metadata);
        })).Value;

    public static Tokenizer LoadModel(string file) =>
        Cache.GetOrAdd("model:" + file, n => new Lazy<Tokenizer>(() =>
        {
            using var f = GgufFile.Open(TestData.Model(file));
            return Tokenizer.FromGguf(f.Metadata);
        })).Value;

    /// <summary>The strings of <c>ggml-vocab-NAME.gguf.inp</c> with their expected ids from the <c>.out</c> beside it.</summary>
    public static IReadOnlyList<(string Text, int[] Ids)> Vectors(string name)
    {
        var inp = File.ReadAllText(TestData.Vocab($"ggml-vocab-{name}.gguf.inp"));
        var texts = inp.Split("\n__ggml_vocab_test__\n");
        var lines = File.ReadAllLines(TestData.Vocab($"ggml-vocab-{name}.gguf.out"));
        var result = new List<(string, int[])>();
        for (int i = 0; i < texts.Length - 1; i++)
        {
            var ids = lines[i].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
            result.Add((texts[i], ids));
        }
        Assert.Equal(texts.Length - 1, lines.Length);
        return result;
    }

    public static TheoryData<string> AllNames()
    {
        var d = new TheoryData<string>();
        foreach (var n in Names) d.Add(n);
        return d;
    }
}
