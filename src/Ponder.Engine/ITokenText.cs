namespace Ponder.Engine;

/// <summary>What the engine needs from a tokenizer: streaming text for generated ids and which ids end
/// generation. A seam so the engine can be tested without a vocabulary.</summary>
public interface ITokenText
{
    IPieceDecoder NewDecoder();
    bool IsEndOfGeneration(int token);
}

/// <summary>Per-sequence streaming detokenizer: returns the text completed by each token (never half a
/// UTF-8 character) and can be cloned when the sequence forks.</summary>
public interface IPieceDecoder
{
    string Push(int token);
    string Flush();
    IPieceDecoder Clone();
}
