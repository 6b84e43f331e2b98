using Ponder.Tensors;

namespace Ponder.Gguf;

/// <summary>One tensor of a GGUF file. <see cref="Dims"/> are ggml's <c>ne</c>: Dims[0] is the
/// length of a row (the fastest-varying dimension), Dims[1] the number of rows, and so on.
/// <see cref="DataOffset"/> is absolute in the file.</summary>
public sealed record GgufTensorInfo(string Name, GgmlType Type, long[] Dims, long DataOffset, long ByteSize)
{
    public long ElementCount
    {
        get { long n = 1; foreach (var d in Dims) n *= d; return n; }
    }

    public long Rows => ElementCount / Dims[0];

    public override string ToString() => $"{Name} {Type} [{string.Join(", ", Dims)}]";
}
