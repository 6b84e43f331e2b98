using System.Diagnostics;
using System.Runtime.InteropServices;
using Ponder.Kernels;
using Ponder.Tensors;
using Kernels = Ponder.Kernels;

namespace Ponder.Bench;

/// <summary>`raw TYPE M [ISA] [N] [K]`: a quick Stopwatch loop over one Qwen2.5-0.5B gate-shaped matrix
/// (N=4864, K=896; 1024 for k-quants), for iterating on a kernel without BenchmarkDotNet's minutes.
/// Prints the best of 7 runs as ms and weight GB/s. Use BenchmarkDotNet (MatMulBenchmarks) for reported figures.</summary>
internal static unsafe class RawMatMul
{
    public static void Run(string[] args)
    {
        var type = Enum.Parse<GgmlType>(args[1]);
        int m = int.Parse(args[2]);
        var isa = args.Length > 3 ? Enum.Parse<KernelIsa>(args[3], true) : KernelPaths.Best;
        int n = args.Length > 4 ? int.Parse(args[4]) : 4864;
        int k = args.Length > 5 ? int.Parse(args[5]) : type is GgmlType.Q4_K or GgmlType.Q6_K ? 1024 : 896;
        long rowBytes = GgmlTypeInfo.RowBytes(type, k);
        byte* w = (byte*)NativeMemory.AlignedAlloc((nuint)(rowBytes * n), 64);
        var rng = new Random(1);
        var row = new float[k];
        for (int o = 0; o < n; o++)
        {
            for (int i = 0; i < k; i++) row[i] = (float)(rng.NextDouble() * 2 - 1);
            Quantize.Row(type, row, new Span<byte>(w + o * rowBytes, (int)rowBytes));
        }
        // PONDER_RAW_MMAP=1: run on a file mapping of the same bytes (page-cache pages, as a loaded GGUF is).
        System.IO.MemoryMappedFiles.MemoryMappedFile? mmf = null;
        System.IO.MemoryMappedFiles.MemoryMappedViewAccessor? view = null;
        byte* wAnon = w;
        if (Environment.GetEnvironmentVariable("PONDER_RAW_MMAP") == "1")
        {
            string path = Path.Combine(Path.GetTempPath(), $"ponder-raw-{Environment.ProcessId}.bin");
            using (var fs = File.Create(path)) fs.Write(new ReadOnlySpan<byte>(w, checked((int)(rowBytes * n))));
            mmf = System.IO.MemoryMappedFiles.MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, System.IO.MemoryMappedFiles.MemoryMappedFileAccess.Read);
            view = mmf.CreateViewAccessor(0, 0, System.IO.MemoryMappedFiles.MemoryMappedFileAccess.Read);
            byte* pm = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref pm);
            w = pm;
            File.Delete(path);
        }
        var x = new float[m * k];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        var xq = new byte[Kernels.MatMul.ActivationBytes(type, k, m)];
        var y = new float[m * n];
        long xRow = GgmlTypeInfo.RowBytes(Kernels.MatMul.VecDotType(type), k);
        double best = double.MaxValue, bestQ = double.MaxValue;
        int reps = m == 1 ? 50 : 3;
        for (int t = 0; t < 7; t++)
        {
            var sw = Stopwatch.StartNew();
            for (int r = 0; r < reps; r++) Kernels.MatMul.QuantizeActivations(type, x, k, m, xq);
            bestQ = Math.Min(bestQ, sw.Elapsed.TotalMilliseconds / reps);
            sw.Restart();
            fixed (byte* px = xq)
            fixed (float* py = y)
                for (int r = 0; r < reps; r++)
                    MatMulKernels.Run(new WeightMatrix(type, w, n, k), px, xRow, m, py, n, 0, n, isa);
            best = Math.Min(best, sw.Elapsed.TotalMilliseconds / reps);
        }
        Console.WriteLine($"{type} m={m} {isa}: {best:F3} ms  {rowBytes * n / best / 1e6:F1} GB/s  {2.0 * n * k * m / best / 1e6:F1} GFLOP/s  quantize {bestQ:F3} ms");
        view?.Dispose(); mmf?.Dispose();
        NativeMemory.AlignedFree(wAnon);
    }
}
