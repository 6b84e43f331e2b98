namespace Ponder.Tokenizers;

/// <summary>The pre-tokenizer named by <c>tokenizer.ggml.pre</c>: which split steps run, in which order, and the
/// per-family switches llama.cpp attaches to the name (<c>llama_vocab::impl::load</c>).</summary>
internal sealed class BpePreTokenizer
{
    public required string Name { get; init; }
    public required SplitStep[] Steps { get; init; }
    /// <summary>A word that is itself a token is emitted whole, without merging (Llama 3's <c>ignore_merges</c>).</summary>
    public bool IgnoreMerges { get; init; }
    /// <summary>llama.cpp's default for add_bos before the file's own key is read.</summary>
    public bool AddBosDefault { get; init; }

    static readonly SplitStep Gpt2 = new Gpt2SplitStep();
    static readonly SplitStep Llama3 = new Llama3SplitStep();
    static RegexSplitStep Collapsed(System.Text.RegularExpressions.Regex r) => new(r, collapsed: true);
    static RegexSplitStep Raw(System.Text.RegularExpressions.Regex r) => new(r, collapsed: false);

    static readonly Dictionary<string, Func<string, BpePreTokenizer>> Families = Build();

    /// <summary>Every <c>tokenizer.ggml.pre</c> value this build understands.</summary>
    public static IReadOnlyCollection<string> SupportedNames => Families.Keys;

    /// <summary>The pre-tokenizer for <paramref name="name"/>; a missing name falls back to "default" as llama.cpp
    /// does (with <paramref name="warning"/> set), an unknown one is an error rather than silently wrong ids.</summary>
    public static BpePreTokenizer For(string? name, out string? warning)
    {
        warning = null;
        if (string.IsNullOrEmpty(name))
        {
            warning = "tokenizer.ggml.pre is missing; using the 'default' pre-tokenizer as llama.cpp does (ids may differ from the original tokenizer)";
            return Families["default"]("default");
        }
        if (Families.TryGetValue(name, out var make)) return make(name);
        throw new TokenizerException(
            $"tokenizer.ggml.pre '{name}' is not supported; supported: {string.Join(", ", Families.Keys.Order(StringComparer.Ordinal))}");
    }

    static Dictionary<string, Func<string, BpePreTokenizer>> Build()
    {
        var d = new Dictionary<string, Func<string, BpePreTokenizer>>(StringComparer.Ordinal);
        void Add(Func<string, BpePreTokenizer> make, params string[] names)
        {
            foreach (var n in names) d[n] = make;
        }

        Add(n => new() { Name = n, Steps = [Collapsed(PreTokenizerPatterns.DefaultPunctuation()), Gpt2, Collapsed(PreTokenizerPatterns.NumberRun()), Raw(PreTokenizerPatterns.ThreeDigits())] },
            "default");
        Add(n => new() { Name = n, Steps = [Llama3], IgnoreMerges = true, AddBosDefault = true },
            "llama3", "llama-v3", "llama-bpe", "falcon3", "pixtral");
        Add(n => new() { Name = n, Steps = [Llama3] },
            "dbrx", "smaug-bpe", "chatglm-bpe");
        Add(n => new()
        {
            Name = n,
            Steps =
            [
                new RegexSplitStep(PreTokenizerPatterns.Newline(), collapsed: false, PreTokenizerPatterns.DeepSeekAstral),
                new RegexSplitStep(PreTokenizerPatterns.DeepSeekLetters(), collapsed: false, PreTokenizerPatterns.DeepSeekAstral),
                new RegexSplitStep(PreTokenizerPatterns.DeepSeekPunctuation(), collapsed: false, PreTokenizerPatterns.DeepSeekAstral),
                new RegexSplitStep(PreTokenizerPatterns.TrailingWhitespace(), collapsed: false, PreTokenizerPatterns.DeepSeekAstral),
                new RegexSplitStep(PreTokenizerPatterns.Cjk(), collapsed: false, PreTokenizerPatterns.DeepSeekAstral),
                Collapsed(PreTokenizerPatterns.NumberRun()),
            ],
        }, "deepseek-llm");
        Add(n => new()
        {
            Name = n,
            Steps =
            [
                Raw(PreTokenizerPatterns.Newline()),
                Collapsed(PreTokenizerPatterns.SpaceLetters()),
                Collapsed(PreTokenizerPatterns.SpacePunctuation()),
                Raw(PreTokenizerPatterns.Cjk()),
                Collapsed(PreTokenizerPatterns.SingleNumber()),
            ],
        }, "deepseek-coder");
        Add(n => new() { Name = n, Steps = [Collapsed(PreTokenizerPatterns.FalconPunctuation()), Gpt2, Raw(PreTokenizerPatterns.ThreeDigits())] },
            "falcon");
        Add(n => new() { Name = n, Steps = [Collapsed(PreTokenizerPatterns.SingleNumber()), Gpt2] },
            "starcoder", "refact", "command-r", "smollm", "codeshell", "exaone", "minerva-7b");
        Add(n => new() { Name = n, Steps = [Gpt2] },
            "gpt-2", "mpt", "olmo", "jais", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v1-en", "jina-v2-es",
            "jina-v2-de", "jina-v2-code", "roberta-bpe");
        Add(n => new() { Name = n, Steps = [Collapsed(PreTokenizerPatterns.Qwen2())] },
            "qwen2", "deepseek-r1-qwen", "megrez", "stablelm2");
        Add(n => new() { Name = n, Steps = [Raw(PreTokenizerPatterns.Bloom())] },
            "bloom", "gpt3-finnish", "poro-chat");
        Add(n => new() { Name = n, Steps = [Raw(PreTokenizerPatterns.Bloom()), Collapsed(PreTokenizerPatterns.SingleNumber())] },
            "viking");
        return d;
    }

    /// <summary>Splits <paramref name="text"/> into words (code-point lengths).</summary>
    public void Split(CodePointText text, List<int> words, List<int> scratch)
    {
        words.Clear();
        words.Add(text.Length);
        foreach (var step in Steps)
        {
            scratch.Clear();
            step.Split(text, words, scratch);
            words.Clear();
            words.AddRange(scratch);
        }
    }
}
