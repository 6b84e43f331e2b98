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

/// <summary>How one 32-value weight type (Q8_0, Q4_0) is decoded and dotted with Q8_0 activations.</summary>
internal unsafe interface IBlock32Weights
{
    static abstract int Bytes { get; }
    /// <summary>True when the exact lane dots are PairDot − 8·(lane sums of x) (Q4_0's offset-8 nibbles).</summary>
    static abstract bool SubtractEightSumX { get; }
    static abstract WBlock Load(byte* block);
    static abstract Vector256<int> PairDot<TDot>(in WBlock w, Vector256<sbyte> x) where TDot : IDot8;
    /// <summary>acc + PairDot(w, x).</summary>
    static abstract Vector256<int> PairDotAdd<TDot>(Vector256<int> acc, in WBlock w, Vector256<sbyte> x) where TDot : IDot8;
}

/// <summary>Q8_0: signed × signed via the sign trick (llama.cpp's): |w| as the unsigned operand and x
/// with w's sign moved onto it; |w| ≤ 128 and |x| ≤ 127 keep vpmaddubsw from saturating.</summary>
internal unsafe struct Q8_0Weights : IBlock32Weights
{
    public static int Bytes => 34;
    public static bool SubtractEightSumX => false;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static WBlock Load(byte* block)
    {
        var s = Avx.LoadVector256((sbyte*)(block + 2));
        return new WBlock { U = Avx2.Abs(s), S = s };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> PairDot<TDot>(in WBlock w, Vector256<sbyte> x) where TDot : IDot8 =>
        TDot.Dot(w.U, Avx2.Sign(x, w.S));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> PairDotAdd<TDot>(Vector256<int> acc, in WBlock w, Vector256<sbyte> x) where TDot : IDot8 =>
        TDot.DotAdd(acc, w.U, Avx2.Sign(x, w.S));
}

/// <summary>Q4_0: the nibbles (0..15) are already unsigned; low nibbles are values 0-15, high 16-31,
/// which matches the activation order once the two halves are placed side by side.</summary>
internal unsafe struct Q4_0Weights : IBlock32Weights
{
    public static int Bytes => 18;
    public static bool SubtractEightSumX => true;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static WBlock Load(byte* block)
    {
        // The 16 bytes in both halves (one broadcast load), the upper half shifted right by 4: low nibbles
        // in bytes 0-15, high nibbles in 16-31, with no cross-lane insert.
        var q = Avx2.BroadcastVector128ToVector256(block + 2);
        var hiShift = Avx2.ShiftRightLogicalVariable(q.AsUInt64(), Vector256.Create(0UL, 0UL, 4UL, 4UL));
        return new WBlock { U = hiShift.AsByte() & Vector256.Create((byte)0xF) };
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> PairDot<TDot>(in WBlock w, Vector256<sbyte> x) where TDot : IDot8 => TDot.Dot(w.U, x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> PairDotAdd<TDot>(Vector256<int> acc, in WBlock w, Vector256<sbyte> x) where TDot : IDot8 =>
        TDot.DotAdd(acc, w.U, x);
}
