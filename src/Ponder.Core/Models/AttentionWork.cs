using System.Numerics.Tensors;
using System.Runtime.Intrinsics;
using Ponder.Compute;

namespace Ponder.Models;

/// <summary>
/// Causal attention for every token of a batch over its own sequence's KV blocks, one work item
/// per (token, KV head) so the K and V rows of a KV head are widened once for all the query heads
/// that share them (GQA).
/// The arithmetic mirrors llama.cpp's non-flash path with an F16 cache, operation for operation:
/// Q rounded to F16, Q·K as ggml_vec_dot_f16, scale, softmax with ggml's exp summed per 16-lane
/// chunk in double, probabilities rounded to F16, and P·V as ggml_vec_dot_f16 along positions.
/// The KV length is padded to a multiple of 64 with masked (zero-weight) positions, which only
/// add exact zeros, so a token's result depends on its own position alone (batch invariance)
/// and equals llama.cpp's one-batch result.
/// </summary>
internal sealed unsafe class AttentionWork : IParallelWork
{
    const int Pad = 64;
    private readonly ModelConfig _c;
    private readonly float[][] _scores;   // per thread: [group][padded context]
    private readonly Half[][] _probs;     // per thread: one row of probabilities rounded to F16
    private readonly float[][] _acc;      // per thread: [group][64 lanes][headDim] P·V accumulators
    private readonly float[][] _row, _qh; // per thread scratch
    private ForwardBatch _b = null!;
    private KvArena _kv = null!;
    private int _layer, _next;
    private float[] _q = [], _out = [];

    public AttentionWork(ModelConfig c, int threads)
    {
        _c = c;
        int group = c.HeadCount / c.KvHeadCount;
        _scores = new float[threads][];
        _probs = new Half[threads][];
        _acc = new float[threads][];
        _row = new float[threads][];
        _qh = new float[threads][];
        for (int i = 0; i < threads; i++)
        {
            _scores[i] = [];
            _probs[i] = [];
            _acc[i] = new float[group * Pad * c.HeadDim];
            _row[i] = new float[c.HeadDim];
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
        int hd = _c.HeadDim, group = _c.HeadCount / _c.KvHeadCount;
        int n = _b.Positions[t] + 1, nkv = (n + Pad - 1) / Pad * Pad;
        int[] table = _b.BlockTables[_b.Seq[t]];
        int B = _kv.BlockTokens;
        float scale = 1.0f / MathF.Sqrt(hd);
        if (_scores[thread].Length < group * nkv) _scores[thread] = new float[Math.Max(group * nkv, 2 * _scores[thread].Length)];
        var scores = _scores[thread];
        if (_probs[thread].Length < n) _probs[thread] = new Half[Math.Max(nkv, 2 * _probs[thread].Length)];
        var row = _row[thread];
        var qh = _qh[thread].AsSpan(0, group * hd);

        // Q heads of this group, rounded through F16 as ggml does before multiplying with an F16 K.
        var qSrc = _q.AsSpan(t * _c.QDim + g * group * hd, group * hd);
        Span<Half> tmp = stackalloc Half[qh.Length];
        TensorPrimitives.ConvertToHalf(qSrc, tmp);
        TensorPrimitives.ConvertToSingle(tmp, qh);

        fixed (float* q0 = qh, r0 = row)
        {
            for (int p = 0; p < n; p++)
            {
                Half* k = _kv.K(table[p / B], _layer, p % B) + g * hd;
                HalfWiden.ToSingle(k, r0, hd);
                for (int h = 0; h < group; h++)
                    scores[h * nkv + p] = GgmlMath.DotF16Order(q0 + h * hd, r0, hd) * scale;
            }
        }
        for (int h = 0; h < group; h++) Softmax(scores.AsSpan(h * nkv, nkv), n, _probs[thread]);

        // P·V: position p feeds lane p % 16 of accumulator (p / 16) % 4, as ggml_vec_dot_f16 does
        // when it runs along the positions of the transposed V cache; positions ≥ n have weight 0,
        // so lanes never reached stay exact zeros and are neither cleared nor read.
        int lanes = Math.Min(n, Pad);
        var acc = _acc[thread].AsSpan(0, group * Pad * hd);
        for (int h = 0; h < group; h++) acc.Slice(h * Pad * hd, lanes * hd).Clear();
        fixed (float* a0 = acc, r0 = row, s0 = scores)
        {
            for (int p = 0; p < n; p++)
            {
                Half* v = _kv.V(table[p / B], _layer, p % B) + g * hd;
                HalfWiden.ToSingle(v, r0, hd);
                float* lane = a0 + (p % Pad) * hd;
                for (int h = 0; h < group; h++)
                {
                    float w = s0[h * nkv + p];
                    if (w == 0) continue; // exact: fma(0, v, a) == a for the finite values a cache holds
                    Fma(w, r0, lane + h * Pad * hd, hd);
                }
            }
        }
        var outAll = _out.AsSpan(t * _c.QDim + g * group * hd, group * hd);
        for (int h = 0; h < group; h++) Reduce(acc.Slice(h * Pad * hd, Pad * hd), lanes, hd, outAll.Slice(h * hd, hd));
    }

    /// <summary>a += w · v elementwise with fused multiply-adds (identical in vector and scalar form).</summary>
    static void Fma(float w, float* v, float* a, int n)
    {
        int d = 0;
        var wv = Vector512.Create(w);
        for (; d + 16 <= n; d += 16) Vector512.Store(Vector512.FusedMultiplyAdd(wv, Vector512.Load(v + d), Vector512.Load(a + d)), a + d);
        for (; d < n; d++) a[d] = MathF.FusedMultiplyAdd(w, v[d], a[d]);
    }

    /// <summary>Combines the 4 × 16 lane accumulators of every output value as GGML_F16_VEC_REDUCE
    /// does — (a0 + a2) + (a1 + a3) lane-wise, then _mm512_reduce_add_ps's tree over the 16 lanes —
    /// for 16 head dimensions at a time (elementwise vector adds round exactly as scalar ones).
    /// Lanes at or above <paramref name="used"/> hold +0 (an untouched accumulator); the explicit
    /// +0 starts keep ggml's −0 behaviour. One pass of loads instead of 80 small span operations:
    /// the reduction had been a third of attention's time on short prompts.</summary>
    static void Reduce(ReadOnlySpan<float> acc, int used, int hd, Span<float> output)
    {
        Span<Vector512<float>> x = stackalloc Vector512<float>[16];
        int d = 0;
        for (; d + 16 <= hd; d += 16)
        {
            for (int l = 0; l < 16; l++)
            {
                var a02 = (Vector512<float>.Zero + Lane(acc, used, l, hd, d)) + Lane(acc, used, l + 32, hd, d);
                var a13 = (Vector512<float>.Zero + Lane(acc, used, l + 16, hd, d)) + Lane(acc, used, l + 48, hd, d);
                x[l] = a02 + a13;
            }
            for (int i = 0; i < 8; i++) x[i] = x[i + 8] + x[i];
            for (int i = 0; i < 4; i++) x[i] = x[i + 4] + x[i];
            ((x[0] + x[2]) + (x[1] + x[3])).CopyTo(output.Slice(d, 16));
        }
        Span<float> xs = stackalloc float[16];
        for (; d < hd; d++)
        {
            for (int l = 0; l < 16; l++)
                xs[l] = ((0f + LaneAt(acc, used, l, hd, d)) + LaneAt(acc, used, l + 32, hd, d))
                      + ((0f + LaneAt(acc, used, l + 16, hd, d)) + LaneAt(acc, used, l + 48, hd, d));
            for (int i = 0; i < 8; i++) xs[i] = xs[i + 8] + xs[i];
            for (int i = 0; i < 4; i++) xs[i] = xs[i + 4] + xs[i];
            output[d] = (xs[0] + xs[2]) + (xs[1] + xs[3]);
        }
    }

    static Vector512<float> Lane(ReadOnlySpan<float> acc, int used, int lane, int hd, int d) =>
        lane < used ? Vector512.Create(acc.Slice(lane * hd + d, 16)) : Vector512<float>.Zero;

    static float LaneAt(ReadOnlySpan<float> acc, int used, int lane, int hd, int d) => lane < used ? acc[lane * hd + d] : 0f;

    /// <summary>ggml_vec_soft_max_f32 over the padded row: exp of (x − max) in 16-wide chunks, each
    /// chunk's sum reduced in float and accumulated in double; masked entries are exact zeros.
    /// The probabilities are then rounded to F16, as the P·V product reads them.</summary>
    static void Softmax(Span<float> s, int n, Span<Half> half)
    {
        float max = TensorPrimitives.Max(s[..n]);
        double sum = 0;
        var vmax = Vector512.Create(max);
        Span<float> part = stackalloc float[16];
        for (int i = 0; i < s.Length; i += 16)
        {
            var chunk = s.Slice(i, 16);
            Vector512<float> e;
            if (i + 16 <= n) e = GgmlMath.Exp(Vector512.Create((ReadOnlySpan<float>)chunk) - vmax);
            else
            {
                for (int l = 0; l < 16; l++) part[l] = i + l < n ? GgmlMath.Exp(chunk[l] - max) : 0f;
                e = Vector512.Create((ReadOnlySpan<float>)part);
            }
            e.CopyTo(chunk);
            sum += GgmlMath.ReduceAdd(e);
        }
        float inv = (float)(1.0 / sum);
        // Scale, then round through F16 in vector form (the same IEEE roundings as the scalar casts,
        // which were a large share of a long prompt's attention time).
        var row = s[..n];
        TensorPrimitives.Multiply(row, inv, row);
        TensorPrimitives.ConvertToHalf(row, half[..n]);
        TensorPrimitives.ConvertToSingle(half[..n], row);
    }
}
