using System.Runtime.Intrinsics.X86;

namespace Ponder.Kernels;

/// <summary>Which instruction-set path the kernels take.</summary>
public enum KernelIsa { Scalar, Avx2, Avx512 }

/// <summary>The path is chosen once at start-up (static readonly, so the JIT folds the branches away in
/// tier-1 code). PONDER_KERNELS=scalar|avx2|avx512 forces a path (tests, benchmarks); asking for one the
/// CPU lacks falls back to the best it has rather than faulting.</summary>
public static class KernelPaths
{
    public static bool HasAvx2 { get; } = Avx2.IsSupported && Fma.IsSupported;

    /// <summary>AVX-512 F/BW/VL. (.NET 10 exposes no 512-bit vpdpbusd; the 8-bit dots use AVX-VNNI at 256 bits where present.)</summary>
    public static bool HasAvx512 { get; } = HasAvx2 && Avx512F.IsSupported && Avx512BW.IsSupported &&
                                            Avx512F.VL.IsSupported && Avx512BW.VL.IsSupported;

    public static readonly KernelIsa Active = Choose(Environment.GetEnvironmentVariable("PONDER_KERNELS"));

    public static KernelIsa Best => HasAvx512 ? KernelIsa.Avx512 : HasAvx2 ? KernelIsa.Avx2 : KernelIsa.Scalar;

    public static bool IsAvailable(KernelIsa isa) => isa switch
    {
        KernelIsa.Avx512 => HasAvx512,
        KernelIsa.Avx2 => HasAvx2,
        _ => true,
    };

    static KernelIsa Choose(string? env)
    {
        KernelIsa want = env?.Trim().ToLowerInvariant() switch
        {
            "scalar" => KernelIsa.Scalar,
            "avx2" => KernelIsa.Avx2,
            "avx512" => KernelIsa.Avx512,
            _ => Best,
        };
        return IsAvailable(want) ? want : Best;
    }
}
