namespace Ponder.Grammars;

/// <summary>The last states of a matcher (stack sets plus flags), newest last, at most <c>capacity</c> + 1 of them,
/// in two flat arrays so accepting a token allocates nothing once the arrays have grown.</summary>
sealed class MatcherHistory
{
    readonly int _capacity;
    int[] _nodes;
    int _nodeCount;
    int[] _start;     // entry i's nodes begin at _start[i]
    byte[] _flags;
    int _head;        // index of the oldest kept entry
    int _count;       // entries from _head

    public MatcherHistory(int maxRollback)
    {
        _capacity = maxRollback + 1;
        _nodes = new int[64];
        _start = new int[Math.Min(_capacity, 64) + 1];
        _flags = new byte[_start.Length];
    }

    MatcherHistory(MatcherHistory other)
    {
        _capacity = other._capacity;
        _nodes = other._nodes.AsSpan(0, other._nodeCount).ToArray();
        _nodeCount = other._nodeCount;
        _start = (int[])other._start.Clone();
        _flags = (byte[])other._flags.Clone();
        _head = other._head;
        _count = other._count;
        if (_nodes.Length == 0) _nodes = new int[64];
    }

    public MatcherHistory Clone() => new(this);

    /// <summary>States that can be undone (all but the current one).</summary>
    public int Undoable => _count - 1;

    public ReadOnlySpan<int> CurrentNodes
    {
        get
        {
            var i = _head + _count - 1;
            return _nodes.AsSpan(_start[i], _nodeCount - _start[i]);
        }
    }

    public byte CurrentFlags => _flags[_head + _count - 1];

    public void Push(ReadOnlySpan<int> nodes, byte flags)
    {
        if (_count == _capacity)
        {
            _head++;
            _count--;
        }
        if (_head + _count + 1 >= _start.Length)
        {
            if (_head > 0) Compact();
            if (_head + _count + 1 >= _start.Length)
            {
                Array.Resize(ref _start, _start.Length * 2);
                Array.Resize(ref _flags, _flags.Length * 2);
            }
        }
        if (_nodeCount + nodes.Length > _nodes.Length)
        {
            if (_head > 0) Compact();
            if (_nodeCount + nodes.Length > _nodes.Length)
                Array.Resize(ref _nodes, Math.Max(_nodes.Length * 2, _nodeCount + nodes.Length));
        }
        var i = _head + _count;
        _start[i] = _nodeCount;
        _flags[i] = flags;
        nodes.CopyTo(_nodes.AsSpan(_nodeCount));
        _nodeCount += nodes.Length;
        _count++;
    }

    public void Pop(int n)
    {
        if (n == 0) return; // _start past the newest entry is stale
        _count -= n;
        _nodeCount = _start[_head + _count];
    }

    public void Clear()
    {
        _head = 0;
        _count = 0;
        _nodeCount = 0;
    }

    /// <summary>Moves the kept entries to the front, dropping the nodes of the forgotten ones.</summary>
    void Compact()
    {
        var drop = _start[_head];
        _nodes.AsSpan(drop, _nodeCount - drop).CopyTo(_nodes);
        _nodeCount -= drop;
        for (var i = 0; i < _count; i++)
        {
            _start[i] = _start[_head + i] - drop;
            _flags[i] = _flags[_head + i];
        }
        _head = 0;
    }
}
