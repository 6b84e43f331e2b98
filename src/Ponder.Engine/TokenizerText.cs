using Ponder.Tokenizers;

namespace Ponder.Engine;

/// <summary>The engine's view of a <see cref="Tokenizer"/>: streaming text and end-of-generation ids.</summary>
public sealed class TokenizerText(Tokenizer tokenizer) : ITokenText
{
    public Tokenizer Tokenizer => tokenizer;
    public IPieceDecoder NewDecoder() => new Decoder(tokenizer.CreateStreamingDecoder());
    public bool IsEndOfGeneration(int token) => tokenizer.IsEndOfGeneration(token);

    sealed class Decoder(StreamingDecoder d) : IPieceDecoder
    {
        public string Push(int token) => d.Append(token);
        public string Flush() => d.Flush();
        public IPieceDecoder Clone() => new Decoder(d.Clone());
    }
}
