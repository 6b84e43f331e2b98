using System.Diagnostics;
using System.IO.Hashing;
using System.Runtime.CompilerServices;
using System.Text;
using Ponder.Tokenizers;

namespace Ponder.Grammars;

/// <summary>Compiles grammars for a tokenizer's vocabulary and caches the results by (grammar text, tokenizer):
/// compiling the same grammar twice for the same tokenizer returns the same <see cref="CompiledGrammar"/>.
/// Thread-safe; two threads compiling the same new grammar may both do the work, and one result is kept.</summary>
public sealed class GrammarCompiler
{
    // Per tokenizer instance (its identity), grammar-text hash -> compiled grammar, with LRU order.
    readonly ConditionalWeakTable<Tokenizer, LruCache> _caches = new();

    public GrammarCompiler(GrammarCompilerOptions? options = null) => Options = options ?? GrammarCompilerOptions.Default;

    /// <summary>A process-wide compiler with default options, for callers that have no compiler of their own.</summary>
    public static GrammarCompiler Shared { get; } = new();

    public GrammarCompilerOptions Options { get; }

    /// <summary>The byte automaton and token-mask cache of <paramref name="grammar"/> over <paramref name="tokenizer"/>'s
    /// vocabulary, from the cache when this grammar was compiled for this tokenizer before.</summary>
    /// <exception cref="GrammarException">The grammar exceeds <see cref="Options"/>' state or time cap.</exception>
    public CompiledGrammar Compile(Grammar grammar, Tokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(grammar);
        ArgumentNullException.ThrowIfNull(tokenizer);
        var text = grammar.ToString();
        var key = (XxHash128.HashToUInt128(Encoding.UTF8.GetBytes(text)), grammar.RootRule);
        var cache = _caches.GetValue(tokenizer, _ => new LruCache(Options.CacheCapacity));
        if (cache.TryGet(key, out var hit)) return hit;
        var compiled = CompileUncached(grammar, tokenizer, Options);
        return cache.Add(key, compiled);
    }

    /// <summary>Parses GBNF and compiles it; see <see cref="Grammar.Parse"/>.</summary>
    public CompiledGrammar Compile(string gbnf, Tokenizer tokenizer, string rootRule = "root") =>
        Compile(Grammar.Parse(gbnf, rootRule), tokenizer);

    static CompiledGrammar CompileUncached(Grammar grammar, Tokenizer tokenizer, GrammarCompilerOptions options)
    {
        var sw = Stopwatch.StartNew();
        using var deadline = new CancellationTokenSource(options.MaxCompileTime);
        var pda = AutomatonBuilder.Build(grammar, options, deadline.Token);
        var vocab = SortedVocabulary.For(tokenizer);
        // The clock, not only the timer: a timer's callback can come late on a busy machine, after a fast build is done.
        var cache = TokenMaskCache.Build(pda, vocab, () => deadline.IsCancellationRequested || sw.Elapsed >= options.MaxCompileTime,
            $"Building the token-mask cache took longer than {options.MaxCompileTime.TotalSeconds:0.#} s "
            + $"({pda.StateCount} automaton states); simplify the grammar or raise GrammarCompilerOptions.MaxCompileTime");
        return new CompiledGrammar(grammar, tokenizer, pda, vocab, cache, sw.Elapsed);
    }

    sealed class LruCache(int capacity)
    {
        readonly Dictionary<(UInt128, string), LinkedListNode<(UInt128, string, CompiledGrammar)>> _map = new();
        readonly LinkedList<(UInt128, string, CompiledGrammar)> _order = new();

        public bool TryGet((UInt128, string) key, out CompiledGrammar value)
        {
            lock (this)
            {
                if (_map.TryGetValue(key, out var node))
                {
                    _order.Remove(node);
                    _order.AddFirst(node);
                    value = node.Value.Item3;
                    return true;
                }
            }
            value = null!;
            return false;
        }

        public CompiledGrammar Add((UInt128, string) key, CompiledGrammar value)
        {
            lock (this)
            {
                if (_map.TryGetValue(key, out var existing)) return existing.Value.Item3;
                _map[key] = _order.AddFirst((key.Item1, key.Item2, value));
                while (_map.Count > Math.Max(capacity, 1))
                {
                    var last = _order.Last!;
                    _order.RemoveLast();
                    _map.Remove((last.Value.Item1, last.Value.Item2));
                }
                return value;
            }
        }
    }
}
