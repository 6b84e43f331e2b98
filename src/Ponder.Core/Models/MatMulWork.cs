using Ponder.Compute;
using Ponder.Kernels;

namespace Ponder.Models;

/// <summary>
/// One parallel region computing up to three matrix products over the same quantized input.
/// Output rows are handed out in chunks from a shared counter, so a thread slowed by another
/// process on the machine simply takes fewer chunks. The kernels make each output value
/// independent of the chunking, so dynamic scheduling cannot change results.
/// </summary>
internal sealed class MatMulWork : IParallelWork
{
    const int MaxOutputs = 3;
    private readonly WeightMatrix[] _w = new WeightMatrix[MaxOutputs];
    private readonly float[][] _y = new float[MaxOutputs][];
    private readonly int[] _ldy = new int[MaxOutputs];
    private readonly int[] _chunkStart = new int[MaxOutputs + 1];
    private int _outputs, _chunkRows, _next, _m, _actBytes;
    private byte[] _act = [];

    public void Set(byte[] act, int actBytes, int m, ReadOnlySpan<(WeightMatrix w, float[] y, int ldy)> outs)
    {
        _act = act;
        _actBytes = actBytes;
        _m = m;
        _outputs = outs.Length;
        int totalRows = 0;
        for (int i = 0; i < outs.Length; i++) totalRows += outs[i].w.Rows;
        // 64 rows: enough chunks to balance two threads, few enough that the per-call setup (the
        // activations' scale conversion) stays small next to the work.
        _chunkRows = Math.Max(4, Math.Min(64, totalRows / 16 + 1));
        _chunkStart[0] = 0;
        for (int i = 0; i < outs.Length; i++)
        {
            (_w[i], _y[i], _ldy[i]) = outs[i];
            _chunkStart[i + 1] = _chunkStart[i] + (outs[i].w.Rows + _chunkRows - 1) / _chunkRows;
        }
        _next = 0;
    }

    public void Execute(int thread, int threadCount)
    {
        int total = _chunkStart[_outputs];
        var act = new ReadOnlySpan<byte>(_act, 0, _actBytes);
        while (true)
        {
            int chunk = Interlocked.Increment(ref _next) - 1;
            if (chunk >= total) return;
            int i = 0;
            while (chunk >= _chunkStart[i + 1]) i++;
            int o0 = (chunk - _chunkStart[i]) * _chunkRows;
            int o1 = Math.Min(o0 + _chunkRows, _w[i].Rows);
            MatMul.Compute(in _w[i], act, _m, _y[i], _ldy[i], o0, o1);
        }
    }
}
