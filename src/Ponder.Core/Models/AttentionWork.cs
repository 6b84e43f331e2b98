using System.Numerics.Tensors;
using Ponder.Compute;

namespace Ponder.Models;

/// <summary>
/// Causal attention for every token of a batch over its own sequence's KV blocks, one work item
/// per (token, KV head) so the K and V rows of a KV head are converted once for all the query
/// heads that share them (GQA). Rounding follows llama.cpp's non-flash path with an F16 cache:
/// Q is rounded to F16 before Q·K, the softmax runs in F32 with the 1/√d scale applied to the
/// dot products, and the probabilities are rounded to F16 before they weight V.
/// </summary>
internal sealed unsafe class AttentionWork : IParallelWork
{
    private readonly ModelConfig _c;
    private readonly float[][] _scores;   // per thread: [group][context]
    private readonly float[][] _kRow, _qh; // per thread scratch
    private ForwardBatch _b = null!;
    private KvArena _kv = null!;
    private int _layer, _next;
    private float[] _q = [], _out = [];

    public AttentionWork(ModelConfig c, int threads)
    {
        _c = c;
        int group = c.HeadCount / c.KvHeadCount;
        _scores = new float[threads][];
        _kRow = new float[threads][];
        _qh = new float[threads][];
        for (int i = 0; i < threads; i++)
        {
            _scores[i] = [];
            _kRow[i] = new float[c.HeadDim];
            _qh[i] = new float[group * c.HeadDim];
        }
    }

    public void Set(ForwardBatch b, KvArena kv, int layer, float[] q, float[] output)
    {
        (_b, _kv, _layer, _q, _out, _next) = (b, kv, layer, q, output, 0);
    }

    public void Execute(int thread, int threadCount)
    {
        int items = _b.Count * _c.KvHeadCount;
        while (true)
        {
            int item = Interlocked.Increment(ref _next) - 1;
            if (item >= items) return;
            Run(thread, item / _c.KvHeadCount, item % _c.KvHeadCount);
        }
    }

    void Run(int thread, int t, int g)
    {
        int hd = _c.HeadDim, group = _c.HeadCount / _c.KvHeadCount, n = _b.Positions[t] + 1;
        int[] table = _b.BlockTables[_b.Seq[t]];
        int B = _kv.BlockTokens;
        float scale = 1.0f / MathF.Sqrt(hd);
        if (_scores[thread].Length < group * n) _scores[thread] = new float[Math.Max(group * n, 2 * _scores[thread].Length)];
        var scores = _scores[thread];
        var kRow = _kRow[thread];
        var qh = _qh[thread].AsSpan(0, group * hd);

        // Q heads of this group, rounded through F16 as ggml does for an F16 K.
        var qSrc = _q.AsSpan(t * _c.QDim + g * group * hd, group * hd);
        Span<Half> tmp = stackalloc Half[qh.Length];
        TensorPrimitives.ConvertToHalf(qSrc, tmp);
        TensorPrimitives.ConvertToSingle(tmp, qh);

        for (int p = 0; p < n; p++)
        {
            Half* k = _kv.K(table[p / B], _layer, p % B) + g * hd;
            TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>(k, hd), kRow);
            for (int h = 0; h < group; h++)
                scores[h * n + p] = TensorPrimitives.Dot(qh.Slice(h * hd, hd), kRow) * scale;
        }

        var outAll = _out.AsSpan(t * _c.QDim + g * group * hd, group * hd);
        outAll.Clear();
        for (int h = 0; h < group; h++)
        {
            var s = scores.AsSpan(h * n, n);
            float max = TensorPrimitives.Max(s);
            double sum = 0;
            for (int p = 0; p < n; p++)
            {
                float e = MathF.Exp(s[p] - max);
                s[p] = e;
                sum += e;
            }
            float inv = (float)(1.0 / sum);
            for (int p = 0; p < n; p++) s[p] = (float)(Half)(s[p] * inv);
        }
        for (int p = 0; p < n; p++)
        {
            Half* v = _kv.V(table[p / B], _layer, p % B) + g * hd;
            TensorPrimitives.ConvertToSingle(new ReadOnlySpan<Half>(v, hd), kRow);
            for (int h = 0; h < group; h++)
            {
                var o = outAll.Slice(h * hd, hd);
                TensorPrimitives.MultiplyAdd(kRow, scores[h * n + p], o, o);
            }
        }
    }
}
