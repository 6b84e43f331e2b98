using Ponder.Tensors;

namespace Ponder.Kernels;

/// <summary>Encodes float32 rows to a supported type, as llama.cpp's reference quantizers do
/// (quantize_row_*_ref), so files Ponder writes match files llama-quantize writes.</summary>
public static class Quantize
{
    /// <summary>src.Length values (a whole number of blocks) into dst (GgmlTypeInfo.RowBytes bytes).</summary>
    public static void Row(GgmlType type, ReadOnlySpan<float> src, Span<byte> dst) => throw new NotImplementedException();
}
