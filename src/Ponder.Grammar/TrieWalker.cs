using System.Runtime.CompilerServices;

namespace Ponder.Grammars;

/// <summary>Steps tokens taken in byte order through a <see cref="StackRunner"/>, keeping the stack set after each
/// byte of the current token so the next token re-steps only the bytes after their common prefix (a trie walk
/// without building the trie). Used both for the mask-cache precompute and for the run-time checks of
/// context-dependent tokens.</summary>
sealed class TrieWalker(StackRunner runner)
{
    readonly IntBuffer _nodes = new(256);
    int[] _levelStart = new int[66];
    int[] _levelFlags = new int[66];
    int[] _levelDefinite = new int[66];
    int _depth;

    public StackRunner Runner { get; } = runner;

    /// <summary>Starts over from a single stack whose top has byte edges (not expanded: its calls and end are
    /// covered by the stacks beside it).</summary>
    public void Reset(int node)
    {
        _nodes.Clear();
        _nodes.Add(node);
        _levelStart[0] = 0;
        _levelStart[1] = 1;
        _levelFlags[0] = 0;
        _levelDefinite[0] = Runner.Arena.IsSpeculative(node) ? 0 : 1;
        _depth = 0;
    }

    /// <summary>Steps <paramref name="token"/>, reusing the levels of the first <paramref name="sharedPrefix"/> bytes
    /// from the previous token. Returns how many bytes were stepped before the stack set died (the token length when
    /// it never did).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Walk(ReadOnlySpan<byte> token, int sharedPrefix)
    {
        if (token.Length + 2 > _levelStart.Length)
        {
            var n = Math.Max(token.Length + 2, _levelStart.Length * 2);
            Array.Resize(ref _levelStart, n);
            Array.Resize(ref _levelFlags, n);
            Array.Resize(ref _levelDefinite, n);
        }
        var k = Math.Min(sharedPrefix, _depth);
        _nodes.Count = _levelStart[k + 1];
        var arena = Runner.Arena;
        while (k < token.Length)
        {
            var from = _levelStart[k];
            var to = _levelStart[k + 1];
            if (from == to) break;
            var flags = Runner.Step(_nodes.Span[from..to], token[k], _nodes);
            k++;
            _levelStart[k + 1] = _nodes.Count;
            _levelFlags[k] = flags;
            var definite = 0;
            for (var i = to; i < _nodes.Count; i++)
                if (!arena.IsSpeculative(_nodes[i])) definite++;
            _levelDefinite[k] = definite;
        }
        _depth = k;
        return k;
    }

    public int Count(int level) => _levelStart[level + 1] - _levelStart[level];
    public int Definite(int level) => _levelDefinite[level];
    public int Flags(int level) => _levelFlags[level];
    public ReadOnlySpan<int> Level(int level) => _nodes.Span[_levelStart[level].._levelStart[level + 1]];
}
