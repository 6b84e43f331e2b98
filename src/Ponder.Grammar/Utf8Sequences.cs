namespace Ponder.Grammars;

/// <summary>Splits a code-point range into byte-range sequences whose concatenation matches exactly the UTF-8
/// encodings of the range (the construction RE2 and Rust's utf8-ranges use), so a character class becomes a small
/// byte automaton and tokens that end mid-character still match byte by byte.</summary>
static class Utf8Sequences
{
    /// <summary>Appends sequences of (lo, hi) byte ranges, 1–4 per sequence, to <paramref name="into"/>.</summary>
    public static void Split(int lo, int hi, List<(byte Lo, byte Hi)[]> into)
    {
        // Ranges never straddle an encoding-length boundary after these splits.
        ReadOnlySpan<int> maxOfLength = [0x7F, 0x7FF, 0xFFFF, 0x10FFFF];
        foreach (var max in maxOfLength)
        {
            if (lo > max) continue;
            if (hi > max)
            {
                Split(lo, max, into);
                Split(max + 1, hi, into);
                return;
            }
            break;
        }
        if (hi <= 0x7F)
        {
            into.Add([((byte)lo, (byte)hi)]);
            return;
        }
        var n = hi <= 0x7FF ? 2 : hi <= 0xFFFF ? 3 : 4;
        // Split until all continuation positions below the first differing one span their full 0x80-0xBF range.
        for (var i = 1; i < n; i++)
        {
            var m = (1 << (6 * i)) - 1;
            if ((lo & ~m) != (hi & ~m))
            {
                if ((lo & m) != 0)
                {
                    Split(lo, lo | m, into);
                    Split((lo | m) + 1, hi, into);
                    return;
                }
                if ((hi & m) != m)
                {
                    Split(lo, (hi & ~m) - 1, into);
                    Split(hi & ~m, hi, into);
                    return;
                }
            }
        }
        Span<byte> a = stackalloc byte[4], b = stackalloc byte[4];
        Encode(lo, a);
        Encode(hi, b);
        var seq = new (byte, byte)[n];
        for (var i = 0; i < n; i++) seq[i] = (a[i], b[i]);
        into.Add(seq);
    }

    public static int Encode(int cp, Span<byte> dst)
    {
        if (cp < 0x80) { dst[0] = (byte)cp; return 1; }
        if (cp < 0x800)
        {
            dst[0] = (byte)(0xC0 | (cp >> 6));
            dst[1] = (byte)(0x80 | (cp & 0x3F));
            return 2;
        }
        if (cp < 0x10000)
        {
            dst[0] = (byte)(0xE0 | (cp >> 12));
            dst[1] = (byte)(0x80 | ((cp >> 6) & 0x3F));
            dst[2] = (byte)(0x80 | (cp & 0x3F));
            return 3;
        }
        dst[0] = (byte)(0xF0 | (cp >> 18));
        dst[1] = (byte)(0x80 | ((cp >> 12) & 0x3F));
        dst[2] = (byte)(0x80 | ((cp >> 6) & 0x3F));
        dst[3] = (byte)(0x80 | (cp & 0x3F));
        return 4;
    }
}
