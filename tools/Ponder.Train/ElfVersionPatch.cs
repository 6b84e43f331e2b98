using System.Buffers.Binary;

namespace Ponder.Train;

/// <summary>
/// TorchSharp-cpu 0.107.0's glue library <c>libLibTorchSharp.so</c> was linked against GCC 13's
/// libstdc++ and asks for <c>GLIBCXX_3.4.32</c>, which Debian 12 (GCC 12) lacks, so the first
/// TorchSharp call fails. The only symbol behind that version is <c>std::ios_base_library_init()</c>,
/// referenced to force linking and never called, so marking the requirement weak (VER_FLG_WEAK in
/// its Vernaux entry: a 2-byte change) is enough; see shared/notes/torchsharp-on-debian12.md.
/// No library reads or edits ELF version sections from .NET (patchelf cannot do this either),
/// hence this small walker. A file whose libstdc++ already has the version is left alone.
/// </summary>
public static class ElfVersionPatch
{
    public const string Version = "GLIBCXX_3.4.32";
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    public enum Result { Patched, AlreadyWeak, NotNeeded, NotFound }

    /// <summary>Whether the system's libstdc++ defines <paramref name="version"/> (then no patch is needed).</summary>
    public static bool SystemHasVersion(string version)
    {
        foreach (var dir in new[] { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib" })
        {
            var p = Path.Combine(dir, "libstdc++.so.6");
            if (!File.Exists(p)) continue;
            var bytes = File.ReadAllBytes(p);
            return bytes.AsSpan().IndexOf(System.Text.Encoding.ASCII.GetBytes(version + "\0")) >= 0;
        }
        return true; // no libstdc++ found where Debian keeps it: not our distribution, do nothing
    }

    /// <summary>Sets VER_FLG_WEAK on the Vernaux entry named <paramref name="version"/> of <paramref name="path"/>.</summary>
    public static Result Patch(string path, string version = Version)
    {
        var b = File.ReadAllBytes(path);
        var s = b.AsSpan();
        if (s.Length < 64 || s[0] != 0x7f || s[1] != (byte)'E' || s[2] != (byte)'L' || s[3] != (byte)'F' || s[4] != 2 || s[5] != 1)
            throw new InvalidDataException($"{path} is not a 64-bit little-endian ELF file");
        ulong shoff = BinaryPrimitives.ReadUInt64LittleEndian(s[0x28..]);
        int shentsize = BinaryPrimitives.ReadUInt16LittleEndian(s[0x3a..]);
        int shnum = BinaryPrimitives.ReadUInt16LittleEndian(s[0x3c..]);
        ReadOnlySpan<byte> Section(int i) => b.AsSpan(checked((int)shoff + i * shentsize), shentsize);
        for (int i = 0; i < shnum; i++)
        {
            var sh = Section(i);
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != ShtGnuVerneed) continue;
            int off = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(sh[0x18..]));
            int link = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[0x28..]);
            int count = (int)BinaryPrimitives.ReadUInt32LittleEndian(sh[0x2c..]); // sh_info: number of Verneed entries
            int strOff = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(Section(link)[0x18..]));
            string Str(uint o)
            {
                int start = strOff + (int)o, end = start;
                while (b[end] != 0) end++;
                return System.Text.Encoding.ASCII.GetString(b, start, end - start);
            }
            int vn = off;
            for (int n = 0; n < count; n++)
            {
                int cnt = BinaryPrimitives.ReadUInt16LittleEndian(s[(vn + 2)..]);
                uint aux = BinaryPrimitives.ReadUInt32LittleEndian(s[(vn + 8)..]);
                uint next = BinaryPrimitives.ReadUInt32LittleEndian(s[(vn + 12)..]);
                int va = vn + (int)aux;
                for (int j = 0; j < cnt; j++)
                {
                    ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(s[(va + 4)..]);
                    uint name = BinaryPrimitives.ReadUInt32LittleEndian(s[(va + 8)..]);
                    uint vnaNext = BinaryPrimitives.ReadUInt32LittleEndian(s[(va + 12)..]);
                    if (Str(name) == version)
                    {
                        if ((flags & VerFlgWeak) != 0) return Result.AlreadyWeak;
                        BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(va + 4), (ushort)(flags | VerFlgWeak));
                        var tmp = path + ".patching";
                        File.WriteAllBytes(tmp, b);
                        File.Move(tmp, path, overwrite: true);
                        return Result.Patched;
                    }
                    if (vnaNext == 0) break;
                    va += (int)vnaNext;
                }
                if (next == 0) break;
                vn += (int)next;
            }
        }
        return Result.NotFound;
    }
}
