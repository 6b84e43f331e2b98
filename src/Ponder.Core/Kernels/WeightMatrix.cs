using Ponder.Tensors;

namespace Ponder.Kernels;

/// <summary>A 2-D weight tensor in (usually memory-mapped) storage: <see cref="Rows"/> rows of
/// <see cref="Cols"/> values each, encoded as <see cref="Type"/>. ggml's ne = [Cols, Rows].</summary>
public readonly unsafe struct WeightMatrix(GgmlType type, byte* data, int rows, int cols)
{
    public GgmlType Type { get; } = type;
    public byte* Data { get; } = data;
    public int Rows { get; } = rows;
    public int Cols { get; } = cols;
    /// <summary>Bytes per row, computed once (kernels ask for it per row).</summary>
    public long RowBytes { get; } = GgmlTypeInfo.RowBytes(type, cols);
    public byte* Row(int r) => Data + r * RowBytes;
}
