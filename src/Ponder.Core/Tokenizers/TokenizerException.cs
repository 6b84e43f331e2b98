namespace Ponder.Tokenizers;

/// <summary>A tokenizer that cannot be built from a file's <c>tokenizer.ggml.*</c> metadata (unknown model or
/// pre-tokenizer, missing or inconsistent arrays), or a request it cannot serve (token id out of range).</summary>
public sealed class TokenizerException(string message) : PonderException(message);
