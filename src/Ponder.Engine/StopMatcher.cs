namespace Ponder.Engine;

/// <summary>
/// Finds stop strings in streamed text. Text that could still be the start of a stop string is
/// held back until it is either completed (stop: the stop string and anything after it are dropped)
/// or ruled out (released), so a client never receives part of a stop string.
/// </summary>
public sealed class StopMatcher
{
    private readonly IReadOnlyList<string> _stops;
    private string _held = "";

    public StopMatcher(IReadOnlyList<string> stops)
    {
        foreach (var s in stops)
            if (string.IsNullOrEmpty(s)) throw new ArgumentException("stop strings must not be empty");
        _stops = stops;
    }

    public bool Stopped { get; private set; }

    /// <summary>Adds a piece; returns the text that is now safe to emit.</summary>
    public string Push(string piece)
    {
        if (Stopped) return "";
        if (_stops.Count == 0) return piece;
        string text = _held + piece;
        int first = -1;
        foreach (var s in _stops)
        {
            int i = text.IndexOf(s, StringComparison.Ordinal);
            if (i >= 0 && (first < 0 || i < first)) first = i;
        }
        if (first >= 0)
        {
            Stopped = true;
            _held = "";
            return text[..first];
        }
        int keep = 0;
        foreach (var s in _stops)
            for (int k = Math.Min(s.Length - 1, text.Length); k > keep; k--)
                if (text.AsSpan(text.Length - k).SequenceEqual(s.AsSpan(0, k))) { keep = k; break; }
        _held = text[^keep..];
        return text[..^keep];
    }

    /// <summary>The held-back text, released when the sequence ends for another reason.</summary>
    public string Flush()
    {
        var h = _held;
        _held = "";
        return Stopped ? "" : h;
    }

    public StopMatcher Clone() => new(_stops) { _held = _held, Stopped = Stopped };
}
