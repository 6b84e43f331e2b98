using Ponder.Tensors;

namespace Ponder.Kernels;

/// <summary>Decodes rows of any supported type to float32.</summary>
public static class Dequantize
{
    /// <summary>dst.Length values (a whole number of blocks) from src.</summary>
    public static void Row(GgmlType type, ReadOnlySpan<byte> src, Span<float> dst) => throw new NotImplementedException();
}
