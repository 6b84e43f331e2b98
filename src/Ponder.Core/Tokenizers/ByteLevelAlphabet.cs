namespace Ponder.Tokenizers;

/// <summary>GPT-2's byte-to-unicode alphabet: byte-level BPE vocabularies spell every byte as one printable
/// code point (printable Latin-1 stays itself, the other 68 bytes move to U+0100..U+0143), so a token's
/// text is a string with one char per byte.</summary>
internal static class ByteLevelAlphabet
{
    /// <summary>Byte → its char in token texts.</summary>
    public static readonly char[] ByteToChar = BuildByteToChar();

    /// <summary>Char (below U+0144) → the byte it spells, or -1.</summary>
    public static readonly short[] CharToByte = BuildCharToByte();

    static char[] BuildByteToChar()
    {
        var map = new char[256];
        var done = new bool[256];
        for (int b = 0x21; b <= 0x7E; b++) { map[b] = (char)b; done[b] = true; }
        for (int b = 0xA1; b <= 0xAC; b++) { map[b] = (char)b; done[b] = true; }
        for (int b = 0xAE; b <= 0xFF; b++) { map[b] = (char)b; done[b] = true; }
        int n = 0;
        for (int b = 0; b < 256; b++)
            if (!done[b]) map[b] = (char)(256 + n++);
        return map;
    }

    static short[] BuildCharToByte()
    {
        var r = new short[0x144];
        Array.Fill(r, (short)-1);
        for (int b = 0; b < 256; b++) r[ByteToChar[b]] = (short)b;
        return r;
    }

    public static int ByteOf(int cp) => (uint)cp < (uint)CharToByte.Length ? CharToByte[cp] : -1;
}
