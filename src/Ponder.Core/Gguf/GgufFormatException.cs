namespace Ponder.Gguf;

/// <summary>A GGUF file that cannot be read: bad magic, unknown version, truncation, an offset or
/// size outside the file. The message says what was wrong and where (byte offset, key, tensor).</summary>
public sealed class GgufFormatException : Exception
{
    public GgufFormatException(string message) : base(message) { }
}
