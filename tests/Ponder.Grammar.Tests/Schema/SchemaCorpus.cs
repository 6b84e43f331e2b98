namespace Ponder.Grammars.Tests.Schema;

/// <summary>The realistic schemas under Schemas/ (also the benchmark's set), found from the test binaries.</summary>
public static class SchemaCorpus
{
    public static string Directory { get; } = Find();

    public static IEnumerable<object[]> Files() =>
        System.IO.Directory.GetFiles(Directory, "*.json").Order(StringComparer.Ordinal).Select(f => new object[] { Path.GetFileName(f) });

    public static string Read(string file) => File.ReadAllText(Path.Combine(Directory, file));

    private static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
        {
            var p = Path.Combine(d.FullName, "tests", "Ponder.Grammar.Tests", "Schemas");
            if (System.IO.Directory.Exists(p)) return p;
        }
        throw new DirectoryNotFoundException("tests/Ponder.Grammar.Tests/Schemas not found above the test binaries");
    }
}
