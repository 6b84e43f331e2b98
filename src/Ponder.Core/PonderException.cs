namespace Ponder;

/// <summary>Base of Ponder's typed errors that a user can act on (bad model, bad option, context overflow).</summary>
public class PonderException : Exception
{
    public PonderException(string message) : base(message) { }
    public PonderException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>A model file that is valid GGUF but cannot be run: unsupported architecture or tensor type,
/// missing tensor or hyper-parameter, inconsistent shapes.</summary>
public sealed class ModelLoadException(string message) : PonderException(message);

/// <summary>A prompt or generation that does not fit the context window.</summary>
public sealed class ContextOverflowException(string message) : PonderException(message);
