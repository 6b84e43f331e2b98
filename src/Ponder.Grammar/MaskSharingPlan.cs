using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Ponder.Grammars;

/// <summary>Which automaton positions can share token-mask work, found by depth-bounded bisimulation (Moore's
/// partition refinement stopped after as many rounds as the longest token has bytes).</summary>
/// <remarks>
/// A token of L bytes only ever explores the automaton L bytes deep from a position, so two positions whose
/// behaviour agrees for the first d bytes give the same verdict on every token of at most d bytes. Positions of a
/// bounded repetition <c>c{0,N}</c> are the case that matters: the position with r repetitions left agrees with
/// every position with more left up to depth r, so only tokens longer than r need walking from it, and positions
/// with at least as many repetitions left as the longest token has bytes are fully equivalent and share one entry.
/// <para>Refinement runs over all states (byte targets and call returns matter). Class ids are stable — a class that
/// splits keeps its id for one part — so a round re-examines only the predecessors of states that changed class in
/// the round before, and a long repetition costs a few states per round, not the whole automaton. At each round the
/// positions with byte edges (the ones that get cache entries) split the same way into a tree of entries: an entry
/// that split off its parent at round d agrees with it up to depth d - 1 (and no other entry agrees deeper), so it
/// copies the parent's verdicts on tokens up to d - 1 bytes and walks only the longer ones.</para>
/// <para>Calls into rules that can end without consuming a byte are compared by exact return state (the callee may
/// return at the same depth, so the return state's class at a shallower depth would not do).</para>
/// </remarks>
sealed class MaskSharingPlan
{
    /// <summary>Entry (distinct mask) of each state with byte edges; -1 for the others.</summary>
    public required int[] LeafOfState { get; init; }
    /// <summary>Per entry: a state to walk from.</summary>
    public required int[] Representative { get; init; }
    /// <summary>Per entry: the entry whose verdicts it copies for short tokens, or -1 to walk every token.</summary>
    public required int[] Base { get; init; }
    /// <summary>Per entry: tokens of at most this many bytes get the base's verdict; longer ones are walked.</summary>
    public required int[] SharedDepth { get; init; }
    /// <summary>Entries grouped so that each entry's base is in an earlier group (groups run one after another, the
    /// entries of a group in parallel).</summary>
    public required int[][] Waves { get; init; }

    public int LeafCount => Representative.Length;

    // Runs once per compile, so tiered compilation would leave it in unoptimised code for the first many grammars
    // (measured: 20 ms instead of 0.5 ms for json.gbnf's plan).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static MaskSharingPlan Build(PushdownAutomaton pda, int maxDepth, Action checkTime)
    {
        var n = pda.StateCount;
        var nullable = NullableRules(pda);
        var keys = new SequenceInterner();
        var scratch = new List<long>();

        // Level 0: what a stack with this state on top does without consuming a byte.
        var cls = new int[n];
        for (var s = 0; s < n; s++)
        {
            keys.Begin();
            keys.Add(pda.RuleOf[s]);
            keys.Add((pda.Final[s] ? 1 : 0) | (pda.HasBytes(s) ? 2 : 0));
            AddCalls(pda, s, nullable, null, keys, scratch);
            cls[s] = keys.Commit();
        }
        var classes = new Partition(cls, keys.Count);

        // Entries start in one node (0) and split off into child nodes as rounds tell them apart.
        var entryOf = new int[n];
        var entries = new List<int>();
        for (var s = 0; s < n; s++)
        {
            entryOf[s] = -1;
            if (!pda.HasBytes(s)) continue;
            entryOf[s] = entries.Count;
            entries.Add(s);
        }
        var nodes = new Partition(new int[entries.Count], entries.Count > 0 ? 1 : 0);
        var parent = new List<int> { -1 };
        var born = new List<int> { 0 };

        var (bytePreds, bytePredStart) = Predecessors(pda, nullable, callsToo: false);
        var (preds, predStart) = Predecessors(pda, nullable, callsToo: true);
        var changed = new List<int>();
        var dirty = new List<int>();
        var keyOf = new int[n];
        var stamp = new int[n];
        var round = 0;
        var all = true; // round 1 looks at everything: level 0 is new

        for (var d = 1; d <= maxDepth && entries.Count > 0; d++)
        {
            checkTime();
            // Entries at depth d: own byte edges into depth-(d-1) classes.
            round++;
            dirty.Clear();
            if (all) dirty.AddRange(Enumerable.Range(0, entries.Count));
            else
                foreach (var t in changed)
                    for (var k = bytePredStart[t]; k < bytePredStart[t + 1]; k++)
                    {
                        var e = entryOf[bytePreds[k]];
                        if (e >= 0 && stamp[bytePreds[k]] != round) { stamp[bytePreds[k]] = round; dirty.Add(e); }
                    }
            keys.Clear();
            foreach (var e in dirty)
            {
                keys.Begin();
                keys.Add(nodes.Of[e]);
                AddEdges(pda, entries[e], cls, keys, scratch);
                keyOf[e] = keys.Commit();
            }
            var firstNew = nodes.Count;
            nodes.Split(dirty, keyOf);
            for (var v = firstNew; v < nodes.Count; v++)
            {
                parent.Add(nodes.SplitFrom[v - firstNew]);
                born.Add(d);
            }
            if (d == maxDepth) break;

            // All states at depth d from depth d - 1; only predecessors of states that changed can change.
            round++;
            dirty.Clear();
            if (all) dirty.AddRange(Enumerable.Range(0, n));
            else
                foreach (var t in changed)
                    for (var k = predStart[t]; k < predStart[t + 1]; k++)
                        if (stamp[preds[k]] != round) { stamp[preds[k]] = round; dirty.Add(preds[k]); }
            keys.Clear();
            foreach (var s in dirty)
            {
                keys.Begin();
                keys.Add(cls[s]);
                AddEdges(pda, s, cls, keys, scratch);
                AddCalls(pda, s, nullable, cls, keys, scratch);
                keyOf[s] = keys.Commit();
            }
            changed.Clear();
            classes.Split(dirty, keyOf, changed);
            all = false;
            if (changed.Count == 0) break; // the partition is final: deeper rounds tell nothing apart
        }

        return Plan(entries, entryOf, nodes, parent, born);
    }

    /// <summary>Sharing only between positions with identical edges, every entry walking the whole vocabulary: the
    /// previous scheme, which tests and the benchmark compare the plan against.</summary>
    public static MaskSharingPlan Unshared(PushdownAutomaton pda)
    {
        var leafOfState = new int[pda.StateCount];
        var reps = new List<int>();
        var keys = new SequenceInterner();
        for (var s = 0; s < pda.StateCount; s++)
        {
            leafOfState[s] = -1;
            if (!pda.HasBytes(s)) continue;
            keys.Begin();
            for (var e = pda.EdgeStart[s]; e < pda.EdgeStart[s + 1]; e++)
            {
                keys.Add(pda.EdgeLo[e] << 8 | pda.EdgeHi[e]);
                keys.Add(pda.EdgeTo[e]);
            }
            var leaf = keys.Commit();
            if (leaf == reps.Count) reps.Add(s);
            leafOfState[s] = leaf;
        }
        var none = new int[reps.Count];
        Array.Fill(none, -1);
        var all = new int[reps.Count];
        for (var i = 0; i < all.Length; i++) all[i] = i;
        return new MaskSharingPlan
        {
            LeafOfState = leafOfState, Representative = reps.ToArray(), Base = none, SharedDepth = new int[reps.Count],
            Waves = [all],
        };
    }

    static MaskSharingPlan Plan(List<int> entries, int[] entryOf, Partition nodes, List<int> parent, List<int> born)
    {
        var count = nodes.Count;
        var representative = new int[count];
        Array.Fill(representative, -1);
        for (var e = 0; e < entries.Count; e++)
            if (representative[nodes.Of[e]] < 0) representative[nodes.Of[e]] = entries[e];
        var leafOfState = new int[entryOf.Length];
        for (var s = 0; s < entryOf.Length; s++) leafOfState[s] = entryOf[s] < 0 ? -1 : nodes.Of[entryOf[s]];

        var baseEntry = new int[count];
        var depth = new int[count];
        var wave = new int[count];
        var waveCount = 0;
        for (var v = 0; v < count; v++) // parents come before children
        {
            baseEntry[v] = -1;
            if (parent[v] >= 0 && born[v] - 1 > 0)
            {
                baseEntry[v] = parent[v];
                depth[v] = born[v] - 1;
                wave[v] = wave[parent[v]] + 1;
            }
            waveCount = Math.Max(waveCount, wave[v] + 1);
        }
        var waves = new List<int>[waveCount];
        for (var w = 0; w < waveCount; w++) waves[w] = [];
        for (var v = 0; v < count; v++) waves[wave[v]].Add(v);
        return new MaskSharingPlan
        {
            LeafOfState = leafOfState, Representative = representative, Base = baseEntry, SharedDepth = depth,
            Waves = Array.ConvertAll(waves, w => w.ToArray()),
        };
    }

    /// <summary>Reverse edges: the states whose key mentions each state's class (byte edges, and with
    /// <paramref name="callsToo"/> also the returns of calls into rules that must consume a byte).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static (int[] Preds, int[] Start) Predecessors(PushdownAutomaton pda, bool[] nullable, bool callsToo)
    {
        var n = pda.StateCount;
        var start = new int[n + 1];
        for (var pass = 0; pass < 2; pass++)
        {
            var preds = pass == 0 ? null : new int[start[n]];
            var fill = pass == 0 ? null : (int[])start.Clone();
            for (var s = 0; s < n; s++)
            {
                for (var e = pda.EdgeStart[s]; e < pda.EdgeStart[s + 1]; e++) Link(pda.EdgeTo[e], s);
                if (!callsToo) continue;
                for (var c = pda.CallStart[s]; c < pda.CallStart[s + 1]; c++)
                    if (!nullable[pda.CallRule[c]]) Link(pda.CallReturn[c], s);
            }
            if (pass == 0)
            {
                for (var t = 0; t < n; t++) start[t + 1] += start[t];
                continue;
            }
            return (preds!, start);

            void Link(int to, int from)
            {
                if (pass == 0) start[to + 1]++;
                else preds![fill![to]++] = from;
            }
        }
        throw new InvalidOperationException();
    }

    /// <summary>A partition of 0..n-1 with stable group ids: a group that splits keeps its id for one part (the
    /// members not looked at, else the largest part) and the other parts get new ids.</summary>
    sealed class Partition
    {
        readonly List<int> _size = [];
        readonly List<int> _splitFrom = [];
        readonly List<(int Group, int Key, int Item)> _sorted = [];

        public Partition(int[] of, int groups)
        {
            Of = of;
            for (var g = 0; g < groups; g++) _size.Add(0);
            foreach (var g in of) _size[g]++;
        }

        public int[] Of { get; }
        public int Count => _size.Count;

        /// <summary>For each id made by the last <see cref="Split"/>, in order, the group it split from.</summary>
        public List<int> SplitFrom => _splitFrom;

        /// <summary>Regroups <paramref name="items"/> by their keys within their groups. Items not given keep their
        /// group and are told apart from every item given (the caller's invariant: an item is given exactly when
        /// its key may have changed, and a changed key never equals an unchanged one).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Split(List<int> items, int[] keyOf, List<int>? moved = null)
        {
            _splitFrom.Clear();
            _sorted.Clear();
            foreach (var i in items) _sorted.Add((Of[i], keyOf[i], i));
            var span = CollectionsMarshal.AsSpan(_sorted);
            span.Sort();
            for (var a = 0; a < span.Length;)
            {
                var g = span[a].Group;
                var b = a;
                while (b < span.Length && span[b].Group == g) b++;
                // Within group g: runs of equal keys in [a, b).
                var untouched = _size[g] - (b - a);
                var keep = -1; // start of the run that keeps id g
                if (untouched == 0)
                {
                    var best = 0;
                    for (var r = a; r < b;)
                    {
                        var e = r;
                        while (e < b && span[e].Key == span[r].Key) e++;
                        if (e - r > best) { best = e - r; keep = r; }
                        r = e;
                    }
                }
                for (var r = a; r < b;)
                {
                    var e = r;
                    while (e < b && span[e].Key == span[r].Key) e++;
                    if (r != keep)
                    {
                        var id = _size.Count;
                        _size.Add(e - r);
                        _size[g] -= e - r;
                        _splitFrom.Add(g);
                        for (var k = r; k < e; k++)
                        {
                            Of[span[k].Item] = id;
                            moved?.Add(span[k].Item);
                        }
                    }
                    r = e;
                }
                a = b;
            }
        }
    }

    /// <summary>Byte edges as sorted (low, high, class of target): states whose edges differ only in which of two
    /// equivalent states they lead to get the same key.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void AddEdges(PushdownAutomaton pda, int s, int[] cls, SequenceInterner keys, List<long> scratch)
    {
        scratch.Clear();
        for (var e = pda.EdgeStart[s]; e < pda.EdgeStart[s + 1]; e++)
            scratch.Add(((long)pda.EdgeLo[e] << 40) | ((long)pda.EdgeHi[e] << 32) | (uint)cls[pda.EdgeTo[e]]);
        AddSorted(keys, scratch);
    }

    /// <summary>Calls as sorted (rule, return): the return state's class one level up when the callee must consume a
    /// byte first (or nothing at level 0, where no byte is left), its exact id when the callee may return at once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static void AddCalls(PushdownAutomaton pda, int s, bool[] nullable, int[]? cls, SequenceInterner keys, List<long> scratch)
    {
        scratch.Clear();
        for (var c = pda.CallStart[s]; c < pda.CallStart[s + 1]; c++)
        {
            var rule = pda.CallRule[c];
            var ret = pda.CallReturn[c];
            var v = nullable[rule] ? ~ret : cls == null ? int.MaxValue : cls[ret];
            scratch.Add(((long)rule << 32) | (uint)v);
        }
        AddSorted(keys, scratch);
    }

    static void AddSorted(SequenceInterner keys, List<long> items)
    {
        var span = CollectionsMarshal.AsSpan(items);
        span.Sort();
        var distinct = 0;
        for (var i = 0; i < span.Length; i++)
            if (i == 0 || span[i] != span[distinct - 1]) span[distinct++] = span[i];
        keys.Add(distinct);
        foreach (var v in span[..distinct])
        {
            keys.Add((int)(v >> 32));
            keys.Add((int)v);
        }
    }

    /// <summary>Rules that can end without consuming a byte (through calls to such rules), by fixpoint.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    static bool[] NullableRules(PushdownAutomaton pda)
    {
        var n = pda.StateCount;
        var completes = (bool[])pda.Final.Clone();
        var nullable = new bool[pda.RuleStart.Length];
        for (var changed = true; changed;)
        {
            changed = false;
            for (var r = 0; r < nullable.Length; r++)
                if (!nullable[r] && completes[pda.RuleStart[r]]) nullable[r] = changed = true;
            // Return states usually follow their callers, so a backward pass settles most chains at once.
            for (var s = n - 1; s >= 0; s--)
            {
                if (completes[s]) continue;
                for (var c = pda.CallStart[s]; c < pda.CallStart[s + 1]; c++)
                    if (nullable[pda.CallRule[c]] && completes[pda.CallReturn[c]]) { completes[s] = changed = true; break; }
            }
        }
        return nullable;
    }

    /// <summary>Gives each distinct int sequence a dense id (the sequences of one round live in one flat buffer).</summary>
    sealed class SequenceInterner
    {
        readonly List<int> _buffer = [];
        readonly Comparer _comparer;
        Dictionary<(int Start, int Length), int> _ids;
        int _start;

        public SequenceInterner()
        {
            _comparer = new Comparer(this);
            _ids = new Dictionary<(int, int), int>(_comparer);
        }

        public int Count => _ids.Count;

        public void Clear()
        {
            _buffer.Clear();
            // Clearing costs the table's capacity: after a round over every state, later rounds (a few states each)
            // would pay for all of them again.
            if (_ids.EnsureCapacity(0) > 4 * _ids.Count + 256) _ids = new Dictionary<(int, int), int>(_comparer);
            else _ids.Clear();
        }

        public void Begin() => _start = _buffer.Count;

        public void Add(int v) => _buffer.Add(v);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public int Commit()
        {
            var key = (_start, _buffer.Count - _start);
            if (_ids.TryGetValue(key, out var id))
            {
                _buffer.RemoveRange(_start, key.Item2); // already known: drop the copy
                return id;
            }
            id = _ids.Count;
            _ids.Add(key, id);
            return id;
        }

        ReadOnlySpan<int> Span((int Start, int Length) k) => CollectionsMarshal.AsSpan(_buffer).Slice(k.Start, k.Length);

        sealed class Comparer(SequenceInterner owner) : IEqualityComparer<(int Start, int Length)>
        {
            public bool Equals((int Start, int Length) a, (int Start, int Length) b) =>
                owner.Span(a).SequenceEqual(owner.Span(b));

            public int GetHashCode((int Start, int Length) k)
            {
                var h = new HashCode();
                h.AddBytes(MemoryMarshal.AsBytes(owner.Span(k)));
                return h.ToHashCode();
            }
        }
    }
}
