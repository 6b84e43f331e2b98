using System.Runtime.CompilerServices;

namespace Ponder.Grammars;

/// <summary>Hash-consed persistent stacks: a node is (automaton state on top, parent node), and equal stacks get the
/// same id, so a matcher's set of stacks is a set of ints, duplicates collapse, and forks share everything.
/// Parent ids below zero are sentinels: <see cref="Bottom"/> is the empty stack (the grammar may end there); the
/// mask-cache precompute uses <see cref="Context"/> (the unknown caller of the rule being examined, or of a rule it
/// certainly returns to) and <see cref="Speculative"/> (some caller of a rule, after leaving the examined rule).</summary>
sealed class StackArena
{
    public const int Bottom = -1;
    public const int Context = -2;
    public const int Speculative = -3;

    int[] _state = new int[256];
    int[] _parent = new int[256];
    bool[] _spec = new bool[256];
    readonly Dictionary<long, int> _index = new();
    // Stacks one frame deep (parent a sentinel) are most of the precompute's nodes: index them by state directly,
    // which is several times faster than the dictionary on that hot path.
    int[][] _shallow = [[], [], []];

    public int Count { get; private set; }

    public int State(int node) => _state[node];
    public int Parent(int node) => _parent[node];

    /// <summary>True when the stack bottoms out in <see cref="Speculative"/>: it exists only under an assumed caller.</summary>
    public bool IsSpeculative(int node) => _spec[node];

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public int Intern(int state, int parent)
    {
        if (parent < 0)
        {
            var row = _shallow[-parent - 1];
            if (state >= row.Length)
            {
                var grown = new int[Math.Max(state + 1, row.Length * 2)];
                Array.Fill(grown, -1);
                row.CopyTo(grown, 0);
                _shallow[-parent - 1] = row = grown;
            }
            var hit = row[state];
            if (hit >= 0) return hit;
            return row[state] = Add(state, parent);
        }
        var key = ((long)state << 32) | (uint)parent;
        if (_index.TryGetValue(key, out var id)) return id;
        id = Add(state, parent);
        _index.Add(key, id);
        return id;
    }

    int Add(int state, int parent)
    {
        if (Count == _state.Length)
        {
            Array.Resize(ref _state, Count * 2);
            Array.Resize(ref _parent, Count * 2);
            Array.Resize(ref _spec, Count * 2);
        }
        var id = Count++;
        _state[id] = state;
        _parent[id] = parent;
        _spec[id] = parent == Speculative || (parent >= 0 && _spec[parent]);
        return id;
    }

    /// <summary>Forgets every node made after <paramref name="mark"/> (a <see cref="Count"/> read earlier): scratch
    /// work such as checking tokens for a mask leaves the arena as it found it.</summary>
    public void Truncate(int mark)
    {
        for (var i = mark; i < Count; i++)
        {
            if (_parent[i] < 0) _shallow[-_parent[i] - 1][_state[i]] = -1;
            else _index.Remove(((long)_state[i] << 32) | (uint)_parent[i]);
        }
        Count = mark;
    }

    public void Clear()
    {
        // Reset only the slots in use: the mask precompute clears once per cache entry, and filling the by-state rows
        // whole (three ints per automaton state) cost more than the few hundred nodes an entry's walk makes.
        for (var i = 0; i < Count; i++)
            if (_parent[i] < 0) _shallow[-_parent[i] - 1][_state[i]] = -1;
        _index.Clear();
        Count = 0;
    }
}
