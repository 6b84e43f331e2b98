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
    public long RowBytes => GgmlTypeInfo.RowBytes(Type, Cols);
    public byte* Row(int r) => Data + r * RowBytes;
}
