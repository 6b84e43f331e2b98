using System.IO.Compression;

namespace Ponder.Core.Tests;

/// <summary>Finds the repository's testdata/ folder (reference data made with llama.cpp) from the test binaries.</summary>
public static class TestData
{
    public static string Root { get; } = Find();

    public static string Model(string file) => Path.Combine(Root, "models", file);
    public static string Vocab(string file) => Path.Combine(Root, "vocab", file);

    /// <summary>A gzipped vocabulary GGUF decompressed into memory.</summary>
    public static byte[] Gunzip(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        {
            var p = Path.Combine(d.FullName, "testdata");
            if (File.Exists(Path.Combine(p, "models", "manifest.json"))) return p;
        }
        throw new DirectoryNotFoundException("testdata/ not found above the test binaries");
    }
}
