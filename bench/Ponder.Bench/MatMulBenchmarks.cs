using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Ponder.Kernels;
using Kernels = Ponder.Kernels;
using Ponder.Tensors;

namespace Ponder.Bench;

/// <summary>One-thread matmul of a Qwen2.5-0.5B-shaped layer (N=4864 outputs, K=896; K=1024 for the
/// k-quants, whose 256-value blocks do not divide 896) per weight type, kernel path and batch size.
/// GFLOP/s = 2·N·K·M / time; for M=1 the weight bytes / time (GB/s) is the figure that matters.
/// The scalar path is the baseline measured in the same run.</summary>
[SimpleJob(warmupCount: 2, iterationCount: 5, invocationCount: -1)]
public unsafe class MatMulBenchmarks
{
    [Params(GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.F16)]
    public GgmlType Type;

    [Params(1, 64)]
    public int M;

    [Params(KernelIsa.Scalar, KernelIsa.Avx2, KernelIsa.Avx512)]
    public KernelIsa Isa;

    const int N = 4864;
    int _k;
    byte* _w;
    byte[] _xq = [];
    float[] _y = [];

    [GlobalSetup]
    public void Setup()
    {
        _k = Type is GgmlType.Q4_K or GgmlType.Q6_K ? 1024 : 896;
        var rng = new Random(1);
        long rowBytes = GgmlTypeInfo.RowBytes(Type, _k);
        _w = (byte*)NativeMemory.AlignedAlloc((nuint)(rowBytes * N), 64);
        var row = new float[_k];
        for (int o = 0; o < N; o++)
        {
            for (int i = 0; i < _k; i++) row[i] = (float)(rng.NextDouble() * 2 - 1);
            Quantize.Row(Type, row, new Span<byte>(_w + o * rowBytes, (int)rowBytes));
        }
        var x = new float[M * _k];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        _xq = new byte[Kernels.MatMul.ActivationBytes(Type, _k, M)];
        Kernels.MatMul.QuantizeActivations(Type, x, _k, M, _xq);
        _y = new float[M * N];
    }

    [GlobalCleanup]
    public void Cleanup() => NativeMemory.AlignedFree(_w);

    [Benchmark]
    public void Multiply()
    {
        if (!KernelPaths.IsAvailable(Isa) || (Isa == KernelIsa.Scalar && M > 1)) return; // scalar m=64 only adds minutes
        long xRow = GgmlTypeInfo.RowBytes(Kernels.MatMul.VecDotType(Type), _k);
        fixed (byte* px = _xq)
        fixed (float* py = _y)
            MatMulKernels.Run(new WeightMatrix(Type, _w, N, _k), px, xRow, M, py, N, 0, N, Isa);
    }
}
