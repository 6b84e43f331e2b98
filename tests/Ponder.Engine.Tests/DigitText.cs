namespace Ponder.Engine.Tests;

/// <summary>Token t as text "t;" — enough to exercise streaming and stop strings without a vocabulary.</summary>
internal sealed class DigitText : ITokenText, IPieceDecoder
{
    public IPieceDecoder NewDecoder() => this;
    public bool IsEndOfGeneration(int token) => false;
    public string Push(int token) => $"{token};";
    public string Flush() => "";
    public IPieceDecoder Clone() => this;
}
