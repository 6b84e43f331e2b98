namespace Ponder.Cli.Tests;

/// <summary>Corrupted model files through the commands that load and run a model (logits, generate):
/// every mutant either runs normally or exits 2 with one line — no crash, hang or stack trace.</summary>
public class CorruptModelCliTests
{
    [Theory]
    [InlineData("tiny-llama-q8_0.gguf", 11)]
    [InlineData("tiny-qwen2-q4_k.gguf", 12)]
    public void Corrupted_models_exit_2_with_one_line_or_run(string file, int seed)
    {
        using var d = new TempDir();
        var original = File.ReadAllBytes(Ponder.Repo("testdata/models/" + file));
        var rng = new Random(seed);
        int ok = 0, rejected = 0;
        for (int m = 0; m < 60; m++)
        {
            byte[] b;
            if (m % 5 == 0) b = original[..rng.Next(original.Length)];
            else
            {
                b = (byte[])original.Clone();
                for (int k = rng.Next(1, 4); k > 0; k--) b[rng.Next(4096)] = (byte)rng.Next(256);
            }
            var path = d.File($"m{m}.gguf");
            File.WriteAllBytes(path, b);
            string[] args = m % 2 == 0
                ? ["logits", "-m", path, "--tokens", "1,20,30,40", "--out", d.File("l.bin"), "-t", "1"]
                : ["generate", "-m", path, "-p", "Hello", "-n", "4", "-t", "1"];
            var run = Task.Run(() => Ponder.Run(args));
            Assert.True(run.Wait(TimeSpan.FromSeconds(60)), $"mutant {m} hung");
            var (code, err) = run.Result;
            if (code == 0) { ok++; continue; }
            rejected++;
            Assert.Equal(2, code);
            var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.True(lines.Length == 1 && lines[0].StartsWith("error: "), $"mutant {m}: {err}");
        }
        Assert.True(rejected > 10, $"{rejected} rejected, {ok} ran");
    }
}
