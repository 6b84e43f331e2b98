using System.Text;

namespace Ponder.Gguf;

/// <summary>A GGUF file that cannot be read: bad magic, unknown version, truncation, an offset or
/// size outside the file. The message says what was wrong and where (byte offset, key, tensor).</summary>
public sealed class GgufFormatException : Exception
{
    const int MaxMessage = 600;

    public GgufFormatException(string message) : base(Printable(message)) { }

    /// <summary>Messages quote keys and tensor names straight from the file, and a corrupted file can
    /// put anything there: control characters are escaped (the message stays one line and cannot
    /// drive a terminal) and an enormous name is cut in the middle, keeping the offset at the end.</summary>
    static string Printable(string s)
    {
        StringBuilder? sb = null;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            bool bad = char.IsControl(c) || c is '\u2028' or '\u2029';
            if (bad && sb == null) sb = new StringBuilder(s, 0, i, s.Length + 16);
            if (bad) sb!.Append($"\\x{(int)c:X2}");
            else sb?.Append(c);
        }
        var r = sb?.ToString() ?? s;
        return r.Length <= MaxMessage ? r : string.Concat(r.AsSpan(0, MaxMessage / 2), " … ", r.AsSpan(r.Length - MaxMessage / 2));
    }
}
