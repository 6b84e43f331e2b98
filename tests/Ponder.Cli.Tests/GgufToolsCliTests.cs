using System.CommandLine;
using Ponder.Cli;
using Ponder.Gguf;
using Ponder.Tensors;

namespace Ponder.Cli.Tests;

/// <summary>Runs ponder in-process, as Program.cs does, capturing stderr; one run at a time because
/// Console is process-wide.</summary>
internal static class Ponder
{
    static readonly object Gate = new();

    public static (int Code, string Err) Run(params string[] args)
    {
        var (code, _, err) = RunWithOutput(args);
        return (code, err);
    }

    /// <summary>As <see cref="Run"/>, also returning what the command wrote to stdout.</summary>
    public static (int Code, string Out, string Err) RunWithOutput(params string[] args)
    {
        lock (Gate)
        {
            var root = new RootCommand("ponder");
            foreach (var c in CommandCatalog.All()) root.Subcommands.Add(c);
            var (err, output) = (new StringWriter(), new StringWriter());
            var (oldOut, oldErr) = (Console.Out, Console.Error);
            Console.SetError(err);
            Console.SetOut(output);
            try
            {
                int code = CliErrors.Run(() => root.Parse(args).Invoke(new InvocationConfiguration
                    { EnableDefaultExceptionHandler = false, Output = TextWriter.Null, Error = err }));
                return (code, output.ToString(), err.ToString());
            }
            finally { Console.SetError(oldErr); Console.SetOut(oldOut); }
        }
    }

    public static string Repo(string rel)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "testdata", "models", "manifest.json"))) return Path.Combine(d.FullName, rel);
        throw new DirectoryNotFoundException("testdata/ not found");
    }
}

public sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("ponder-cli-").FullName;
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() => Directory.Delete(Path, recursive: true);
}

public class GgufToolsCliTests
{
    static void AssertOneLineError((int Code, string Err) r, string? contains = null)
    {
        Assert.Equal(2, r.Code);
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        if (contains != null) Assert.Contains(contains, lines[0]);
    }

    [Fact]
    public void Make_random_model_then_quantize()
    {
        using var d = new TempDir();
        var (code, err) = Ponder.Run("make-random-model", "--arch", "llama", "--preset", "llama-tiny", "--type", "F32",
            "--embd", "512", "--heads", "4", "--ff", "768", "--layers", "1", "--seed", "9", "-o", d.File("m.gguf"));
        Assert.True(code == 0, err);
        foreach (var t in new[] { "Q4_K", "q6_k", "F16" })
        {
            var r = Ponder.Run("quantize", d.File("m.gguf"), d.File($"{t}.gguf"), t);
            Assert.True(r.Code == 0, r.Err);
            using var f = GgufFile.Open(d.File($"{t}.gguf"));
            Assert.Equal(GgufQuantizer.ParseType(t), f.GetTensor("blk.0.ffn_down.weight").Type);
            Assert.Equal(GgmlType.F32, f.GetTensor("blk.0.ffn_norm.weight").Type);
        }
        using var m = GgufFile.Open(d.File("m.gguf"));
        Assert.Equal(128, m.Metadata.GetInteger("llama.rope.dimension_count"));
    }

    [Fact]
    public void Make_random_model_errors_are_one_line()
    {
        using var d = new TempDir();
        AssertOneLineError(Ponder.Run("make-random-model", "--arch", "llama", "--preset", "llama-tiny", "--type", "Q5_1", "-o", d.File("x.gguf")), "Q5_1");
        AssertOneLineError(Ponder.Run("make-random-model", "--arch", "llama", "--preset", "llama-tiny", "--type", "Q4_K", "--embd", "128", "--heads", "2", "-o", d.File("x.gguf")), "256");
        AssertOneLineError(Ponder.Run("make-random-model", "--arch", "qwen2", "--preset", "llama-tiny", "--heads", "5", "-o", d.File("x.gguf")), "--heads");
        AssertOneLineError(Ponder.Run("make-random-model", "--arch", "qwen2", "--preset", "qwen2.5-0.5b", "--vocab", "1000", "-o", d.File("x.gguf")), "--vocab");
        Assert.Empty(Directory.GetFiles(d.Path));
        Assert.NotEqual(0, Ponder.Run("make-random-model", "--arch", "gpt2", "--preset", "llama-tiny", "-o", d.File("x.gguf")).Code);
    }

    [Fact]
    public void Quantize_errors_are_one_line()
    {
        using var d = new TempDir();
        var src = Ponder.Repo("testdata/models/tiny-llama-f32.gguf");
        AssertOneLineError(Ponder.Run("quantize", src, d.File("x.gguf"), "IQ2_XS"), "supported");
        AssertOneLineError(Ponder.Run("quantize", d.File("missing.gguf"), d.File("x.gguf"), "Q8_0"), "not found");
        File.WriteAllBytes(d.File("bad.gguf"), "GGUF\x07\0\0\0"u8.ToArray());
        AssertOneLineError(Ponder.Run("quantize", d.File("bad.gguf"), d.File("x.gguf"), "Q8_0"), "version");
        Assert.False(File.Exists(d.File("x.gguf")));
    }

    /// <summary>The CLI side of the corrupted-file corpus: truncations and byte flips in the first 4 KB,
    /// through `ponder info` and `ponder quantize`; each exits 0, or 2 with one line.</summary>
    [Fact]
    public void Corrupted_files_exit_2_with_one_line_or_run()
    {
        using var d = new TempDir();
        var original = File.ReadAllBytes(Ponder.Repo("testdata/models/tiny-llama-q4_0.gguf"));
        var rng = new Random(777);
        int ok = 0, rejected = 0;
        for (int m = 0; m < 80; m++)
        {
            byte[] b;
            if (m % 4 == 0) b = original[..rng.Next(original.Length)];
            else
            {
                b = (byte[])original.Clone();
                for (int k = rng.Next(1, 4); k > 0; k--) b[rng.Next(4096)] = (byte)rng.Next(256);
            }
            var path = d.File($"m{m}.gguf");
            File.WriteAllBytes(path, b);
            var r = m % 2 == 0 ? Ponder.Run("info", "-m", path) : Ponder.Run("quantize", path, d.File("out.gguf"), "Q8_0");
            if (r.Code == 0) ok++;
            else { AssertOneLineError(r); rejected++; }
        }
        Assert.True(rejected > 20, $"{rejected} rejected, {ok} ran");
    }
}
