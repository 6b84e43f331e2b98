using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Ponder.Kernels;

/// <summary>Vector building blocks shared by the SIMD dot kernels.</summary>
internal static class SimdHelpers
{
    /// <summary>Exact fp16→fp32 for 8 values without F16C (which .NET does not expose), F. Giesen's
    /// method: sign-extend each half to 32 bits and shift left 13, which puts exponent/mantissa in bits
    /// 13-27 and the sign in bit 31; clear bits 28-30 and multiply by 2^112 to rebias (the multiply keeps
    /// the sign, and subnormal halves become exact normal floats). Inf/NaN get an all-ones exponent.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> HalfToSingle(Vector128<ushort> h16)
    {
        Vector256<int> o = Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int32(h16.AsInt16()), 13) & Vector256.Create(unchecked((int)0x8FFFE000));
        Vector256<float> f = o.AsSingle() * Vector256.Create(5.192296858534828e+33f); // 2^112
        Vector256<int> infNan = Vector256.Equals(o & Vector256.Create(0x0F800000), Vector256.Create(0x0F800000));
        return Vector256.ConditionalSelect(infNan.AsSingle(), (o | Vector256.Create(0x7f800000)).AsSingle(), f);
    }

    /// <summary>The 512-bit form of <see cref="HalfToSingle(Vector128{ushort})"/> for 16 values.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> HalfToSingle(Vector256<ushort> h16)
    {
        Vector512<int> o = Avx512F.ShiftLeftLogical(Avx512F.ConvertToVector512Int32(h16.AsInt16()), 13) & Vector512.Create(unchecked((int)0x8FFFE000));
        Vector512<float> f = o.AsSingle() * Vector512.Create(5.192296858534828e+33f);
        Vector512<int> infNan = Vector512.Equals(o & Vector512.Create(0x0F800000), Vector512.Create(0x0F800000));
        return Vector512.ConditionalSelect(infNan.AsSingle(), (o | Vector512.Create(0x7f800000)).AsSingle(), f);
    }

    /// <summary>llama.cpp's hsum_float_8: r_i = v_i + v_{i+4}, then (r0 + r2) + (r1 + r3); equal to
    /// <see cref="ScalarDots.HSum8"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float HSumFloat8(Vector256<float> v)
    {
        var r = Sse.Add(v.GetUpper(), v.GetLower());
        r = Sse.Add(r, Sse.MoveHighToLow(r, r));
        r = Sse.AddScalar(r, Sse3.MoveHighAndDuplicate(r));
        return r.ToScalar();
    }

    /// <summary>fp16→fp32 for four finite halves given as ints (the sign-preserving form of Giesen's method:
    /// place sign, exponent and mantissa, multiply by 2^112; subnormal halves become exact normal floats).
    /// Exact for every finite half, which is all a block scale may be; agrees with System.Half there.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> FiniteHalfToSingle(Vector128<int> h)
    {
        var bits = Sse2.ShiftLeftLogical(h & Vector128.Create(0x8000), 16) | Sse2.ShiftLeftLogical(h & Vector128.Create(0x7fff), 13);
        return bits.AsSingle() * Vector128.Create(5.192296858534828e+33f);
    }

    /// <summary>The 8-lane form of <see cref="FiniteHalfToSingle(Vector128{int})"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> FiniteHalfToSingle(Vector256<int> h)
    {
        var bits = Avx2.ShiftLeftLogical(h & Vector256.Create(0x8000), 16) | Avx2.ShiftLeftLogical(h & Vector256.Create(0x7fff), 13);
        return bits.AsSingle() * Vector256.Create(5.192296858534828e+33f);
    }

    /// <summary>Transposing horizontal sum: lane i of the result is the sum of all lanes of v_i.
    /// Integer adds are exact, so the order inside is free.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> HSum8(Vector256<int> v0, Vector256<int> v1, Vector256<int> v2, Vector256<int> v3,
        Vector256<int> v4, Vector256<int> v5, Vector256<int> v6, Vector256<int> v7)
    {
        var h0123 = Avx2.HorizontalAdd(Avx2.HorizontalAdd(v0, v1), Avx2.HorizontalAdd(v2, v3));
        var h4567 = Avx2.HorizontalAdd(Avx2.HorizontalAdd(v4, v5), Avx2.HorizontalAdd(v6, v7));
        return Avx2.Add(Avx2.Permute2x128(h0123, h4567, 0x20), Avx2.Permute2x128(h0123, h4567, 0x31));
    }
}

/// <summary>u8×s8 dot of 32 bytes into 8 int32 lanes (lane j: bytes 4j..4j+3). Two engines so the
/// AVX2 path runs on CPUs without VNNI; the caller guarantees |u·s| pairs fit int16 (u ≤ 128, |s| ≤ 127).</summary>
internal interface IDot8
{
    static abstract Vector256<int> Dot(Vector256<byte> u, Vector256<sbyte> s);
    /// <summary>acc + Dot(u, s) (one vpdpbusd with VNNI).</summary>
    static abstract Vector256<int> DotAdd(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> s);
}

/// <summary>AVX2: vpmaddubsw (pairs to int16) then vpmaddwd by ones (to int32).</summary>
internal struct MaddDot8 : IDot8
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Dot(Vector256<byte> u, Vector256<sbyte> s) =>
        Avx2.MultiplyAddAdjacent(Avx2.MultiplyAddAdjacent(u, s), Vector256.Create((short)1));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> DotAdd(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> s) => acc + Dot(u, s);
}

/// <summary>AVX-VNNI vpdpbusd: one instruction. (.NET 10 has no 512-bit form of it, so this is the
/// widest VNNI the runtime offers.)</summary>
internal struct VnniDot8 : IDot8
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> Dot(Vector256<byte> u, Vector256<sbyte> s) =>
        AvxVnni.MultiplyWideningAndAdd(Vector256<int>.Zero, u, s);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<int> DotAdd(Vector256<int> acc, Vector256<byte> u, Vector256<sbyte> s) =>
        AvxVnni.MultiplyWideningAndAdd(acc, u, s);
}
