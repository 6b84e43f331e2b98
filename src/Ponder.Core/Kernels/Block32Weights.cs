using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ponder.Kernels;

/// <summary>A 32-value weight block decoded for an 8-bit dot against a Q8_0 activation block:
/// U is the unsigned operand, S the raw signed weights where the type needs them for the sign trick.
/// PairDot gives 8 int lanes, lane l the exact dot of values 4l..4l+3 (the lane structure of llama.cpp's
/// AVX2 kernels, see <see cref="ScalarDots"/>).</summary>
internal struct WBlock
{
    public Vector256<byte> U;
    public Vector256<sbyte> S;
}

/// <summary>How one 32-value weight type is decoded and dotted with Q8_0 activations (Q8_0 today; Q4_0 has
/// its own kernel, <see cref="Q4_0MatMul"/>, because llama.cpp sums its blocks differently).</summary>
internal unsafe interface IBlock32Weights
{
    static abstract int Bytes { get; }
    static abstract WBlock Load(byte* block);
    static abstract Vector256<int> PairDot<TDot>(in WBlock w, Vector256<sbyte> x) where TDot : IDot8;
}

/// <summary>Q8_0: signed × signed via the sign trick (llama.cpp's): |w| as the unsigned operand and x
/// with w's sign moved onto it; |w| ≤ 128 and |x| ≤ 127 keep vpmaddubsw from saturating.</summary>
internal unsafe struct Q8_0Weights : IBlock32Weights
{
    public static int Bytes => 34;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static WBlock Load(byte* block)
    {
        var s = Avx.LoadVector256((sbyte*)(block + 2));
        return new WBlock { U = Avx2.Abs(s), S = s };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> PairDot<TDot>(in WBlock w, Vector256<sbyte> x) where TDot : IDot8 =>
        TDot.Dot(w.U, Avx2.Sign(x, w.S));
}
