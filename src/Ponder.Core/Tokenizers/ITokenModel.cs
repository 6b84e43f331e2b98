namespace Ponder.Tokenizers;

/// <summary>The model-specific part of encoding: one run of plain text (no special tokens in it) to ids.</summary>
internal interface ITokenModel
{
    void Encode(ReadOnlySpan<char> text, List<int> output);
}
