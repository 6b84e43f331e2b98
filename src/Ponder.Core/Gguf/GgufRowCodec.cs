using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Ponder.Kernels;
using Ponder.Tensors;

namespace Ponder.Gguf;

/// <summary>
/// Row encoding for the tools that write weights (make-random-model, quantize): float rows to a
/// tensor type and back, plus a parallel, streaming row writer for <see cref="GgufWriter"/>.
/// F32/F16/BF16 are converted here (rounding as ggml does: F16 round-to-nearest-even, BF16
/// ggml_compute_fp32_to_bf16); the block-quantized types go to the kernels' reference quantizers
/// (<see cref="Quantize.Row"/>, <see cref="Dequantize.Row"/>), so files match llama-quantize's.
/// </summary>
public static class GgufRowCodec
{
    /// <summary>Types the tools can write.</summary>
    public static readonly GgmlType[] WritableTypes = GgmlTypeInfo.Supported;

    public static bool IsWritable(GgmlType t) => Array.IndexOf(WritableTypes, t) >= 0;

    /// <summary>Encodes src (a whole number of blocks) into dst (exactly RowBytes(type, src.Length)).</summary>
    public static void Encode(GgmlType type, ReadOnlySpan<float> src, Span<byte> dst)
    {
        switch (type)
        {
            case GgmlType.F32:
                MemoryMarshal.AsBytes(src).CopyTo(dst);
                break;
            case GgmlType.F16:
                TensorPrimitives.ConvertToHalf(src, MemoryMarshal.Cast<byte, Half>(dst));
                break;
            case GgmlType.BF16:
                var o = MemoryMarshal.Cast<byte, ushort>(dst);
                for (int i = 0; i < src.Length; i++) o[i] = ToBf16(src[i]);
                break;
            default:
                if (!IsWritable(type)) throw new NotSupportedException($"cannot encode {type}; supported: {string.Join(", ", WritableTypes)}");
                try { Quantize.Row(type, src, dst); }
                catch (NotImplementedException)
                {
                    // The kernels are developed separately; until Quantize.Row is in this build, say so plainly.
                    throw new NotSupportedException($"{type} encoding is not available in this build (Quantize.Row not implemented yet)");
                }
                break;
        }
    }

    /// <summary>Decodes a row of <paramref name="dst"/>.Length values.</summary>
    public static void Decode(GgmlType type, ReadOnlySpan<byte> src, Span<float> dst)
    {
        switch (type)
        {
            case GgmlType.F32:
                MemoryMarshal.Cast<byte, float>(src)[..dst.Length].CopyTo(dst);
                break;
            case GgmlType.F16:
                TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(src)[..dst.Length], dst);
                break;
            case GgmlType.BF16:
                var s = MemoryMarshal.Cast<byte, ushort>(src);
                for (int i = 0; i < dst.Length; i++) dst[i] = BitConverter.Int32BitsToSingle(s[i] << 16);
                break;
            default:
                if (!IsWritable(type)) throw new NotSupportedException($"cannot decode {type}; supported: {string.Join(", ", WritableTypes)}");
                try { Dequantize.Row(type, src, dst); }
                catch (NotImplementedException)
                {
                    throw new NotSupportedException($"{type} decoding is not available in this build (Dequantize.Row not implemented yet)");
                }
                break;
        }
    }

    /// <summary>Throws NotSupportedException now, before any output is written, if <paramref name="type"/>
    /// cannot be encoded in this build.</summary>
    public static void EnsureEncodable(GgmlType type)
    {
        if (!IsWritable(type)) throw new NotSupportedException($"cannot encode {type}; supported: {string.Join(", ", WritableTypes)}");
        int n = GgmlTypeInfo.BlockSize(type) == 1 ? 1 : GgmlTypeInfo.BlockSize(type);
        Encode(type, new float[n], new byte[GgmlTypeInfo.RowBytes(type, n)]);
    }

    /// <summary>Throws NotSupportedException now if rows of <paramref name="type"/> cannot be decoded in this build.</summary>
    public static void EnsureDecodable(GgmlType type)
    {
        if (!IsWritable(type)) throw new NotSupportedException($"cannot decode {type}; supported: {string.Join(", ", WritableTypes)}");
        int n = GgmlTypeInfo.BlockSize(type);
        Decode(type, new byte[GgmlTypeInfo.RowBytes(type, n)], new float[n]);
    }

    /// <summary>ggml_compute_fp32_to_bf16: round to nearest even, NaN kept quiet.</summary>
    public static ushort ToBf16(float f)
    {
        uint u = BitConverter.SingleToUInt32Bits(f);
        if ((u & 0x7fffffff) > 0x7f800000) return (ushort)((u >> 16) | 64);
        return (ushort)((u + (0x7fff + ((u >> 16) & 1))) >> 16);
    }

    /// <summary>
    /// Streams a [rows × cols] tensor of <paramref name="type"/> to <paramref name="output"/>: rows are
    /// produced by <paramref name="fill"/> (row index, buffer of cols floats) and encoded in parallel,
    /// a few MB at a time, and written in order. <paramref name="fill"/> must depend only on the row
    /// index, so the bytes do not depend on the number of threads.
    /// </summary>
    public static void WriteRows(Stream output, GgmlType type, int cols, long rows, Action<long, Span<float>> fill)
    {
        long rowBytes = GgmlTypeInfo.RowBytes(type, cols);
        int perChunk = (int)Math.Clamp((8L << 20) / Math.Max(1, rowBytes), 1, rows);
        var chunk = new byte[checked(perChunk * rowBytes)];
        for (long r0 = 0; r0 < rows; r0 += perChunk)
        {
            int n = (int)Math.Min(perChunk, rows - r0);
            long start = r0;
            try
            {
                Parallel.For(0, n, () => new float[cols], (i, _, buf) =>
                {
                    fill(start + i, buf);
                    Encode(type, buf, chunk.AsSpan((int)(i * rowBytes), (int)rowBytes));
                    return buf;
                }, _ => { });
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                // Surface the first real error (typed, so the CLI can report it in one line).
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
            output.Write(chunk, 0, (int)(n * rowBytes));
        }
    }
}
