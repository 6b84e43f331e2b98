namespace Ponder.Tokenizers;

/// <summary>One stage of a BPE pre-tokenizer. llama.cpp applies a pre-tokenizer's patterns one after the other,
/// each to every piece the previous one produced, and keeps both the matches and the gaps between them.</summary>
internal abstract class SplitStep
{
    /// <summary>Splits each piece of <paramref name="pieces"/> (code-point lengths, consecutive from the start of
    /// <paramref name="text"/>) into the lengths appended to <paramref name="output"/>.</summary>
    public abstract void Split(CodePointText text, List<int> pieces, List<int> output);
}
