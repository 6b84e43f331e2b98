using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Ponder.Kernels;
using Ponder.Tensors;
using Kernels = Ponder.Kernels;

namespace Ponder.Bench;

/// <summary>Decode-time (M=1) Q8_0 output projection of Qwen2.5-0.5B's shape: N=151936, K=896, 144 MB of
/// weights streamed once per token, the largest single matmul of a decode step. Threads split [0, N)
/// into contiguous ranges, as the model does. Figure of merit: weight GB/s.</summary>
[SimpleJob(warmupCount: 2, iterationCount: 8)]
public unsafe class LmHeadBenchmarks
{
    [Params(1, 2)]
    public int Threads;

    [Params(KernelIsa.Avx2, KernelIsa.Avx512)]
    public KernelIsa Isa;

    const int N = 151936, K = 896;
    byte* _w;
    byte[] _xq = [];
    float[] _y = new float[N];

    [GlobalSetup]
    public void Setup()
    {
        long rowBytes = GgmlTypeInfo.RowBytes(GgmlType.Q8_0, K);
        _w = (byte*)NativeMemory.AlignedAlloc((nuint)(rowBytes * N), 64);
        var rng = new Random(1);
        var row = new float[K];
        for (int o = 0; o < N; o++)
        {
            for (int i = 0; i < K; i++) row[i] = (float)(rng.NextDouble() * 2 - 1);
            Quantize.Row(GgmlType.Q8_0, row, new Span<byte>(_w + o * rowBytes, (int)rowBytes));
        }
        var x = new float[K];
        for (int i = 0; i < K; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        _xq = new byte[Kernels.MatMul.ActivationBytes(GgmlType.Q8_0, K, 1)];
        Kernels.MatMul.QuantizeActivations(GgmlType.Q8_0, x, K, 1, _xq);
    }

    [GlobalCleanup]
    public void Cleanup() => NativeMemory.AlignedFree(_w);

    [Benchmark]
    public void Decode()
    {
        if (!KernelPaths.IsAvailable(Isa)) return;
        long xRow = _xq.Length;
        Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
        {
            int o0 = (int)((long)N * t / Threads), o1 = (int)((long)N * (t + 1) / Threads);
            fixed (byte* px = _xq)
            fixed (float* py = _y)
                MatMulKernels.Run(new WeightMatrix(GgmlType.Q8_0, _w, N, K), px, xRow, 1, py, N, o0, o1, Isa);
        });
    }
}
