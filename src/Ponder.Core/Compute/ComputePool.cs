namespace Ponder.Compute;

/// <summary>Work split over the pool's threads: called once on every thread, caller included.</summary>
public interface IParallelWork
{
    void Execute(int thread, int threadCount);
}

/// <summary>
/// A fixed set of worker threads that run one <see cref="IParallelWork"/> at a time with low
/// dispatch cost. A forward pass issues a few hundred parallel regions per token, so workers
/// spin briefly on a generation counter before sleeping (as ggml's thread pool does) instead of
/// paying a wake-up per region; after the spin they block, so an idle pool costs nothing.
/// Hand-written because Parallel.For allocates and wakes threads per call.
/// </summary>
public sealed class ComputePool : IDisposable
{
    const int SpinIterations = 4_000; // well under a millisecond of spinning before a worker sleeps

    private readonly Thread[] _workers;
    private readonly object _lock = new();
    private IParallelWork? _work;
    private int _generation;
    private int _pending;
    private bool _disposed;
    private Exception? _error;

    public int ThreadCount { get; }

    public ComputePool(int threads)
    {
        if (threads < 1) throw new ArgumentException($"thread count must be at least 1, got {threads}");
        ThreadCount = threads;
        _workers = new Thread[threads - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            int idx = i + 1;
            _workers[i] = new Thread(() => WorkerLoop(idx)) { IsBackground = true, Name = $"ponder-compute-{idx}" };
            _workers[i].Start();
        }
    }

    /// <summary>Runs <paramref name="work"/> on all threads and returns when every thread is done.
    /// Not reentrant: one region at a time.</summary>
    public void Run(IParallelWork work)
    {
        if (ThreadCount == 1)
        {
            work.Execute(0, 1);
            return;
        }
        _work = work;
        _error = null;
        Volatile.Write(ref _pending, ThreadCount - 1);
        lock (_lock)
        {
            _generation++;
            Monitor.PulseAll(_lock);
        }
        Exception? mine = null;
        try { work.Execute(0, ThreadCount); }
        catch (Exception e) { mine = e; }
        var sw = new SpinWait();
        while (Volatile.Read(ref _pending) != 0) sw.SpinOnce(sleep1Threshold: -1);
        _work = null;
        if (mine != null) throw mine;
        if (_error != null) throw new AggregateException("a compute worker failed", _error);
    }

    private void WorkerLoop(int idx)
    {
        int seen = 0;
        while (true)
        {
            // Spin (yielding to other ready threads, so a busy machine is not starved) for a while
            // before sleeping: the next region usually follows within microseconds.
            var sw = new SpinWait();
            while (Volatile.Read(ref _generation) == seen)
            {
                if (sw.Count < SpinIterations)
                {
                    sw.SpinOnce(sleep1Threshold: -1);
                    continue;
                }
                lock (_lock)
                {
                    while (_generation == seen && !_disposed) Monitor.Wait(_lock);
                }
                if (_disposed) return;
            }
            if (_disposed) return;
            seen = Volatile.Read(ref _generation);
            try { _work!.Execute(idx, ThreadCount); }
            catch (Exception e) { _error = e; }
            Interlocked.Decrement(ref _pending);
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _generation++;
            Monitor.PulseAll(_lock);
        }
    }
}
