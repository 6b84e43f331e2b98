using System.CommandLine;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Ponder.Tokenizers;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder bench-tokenize -m VOCAB.gguf[.gz] [--file TEXT] [--mb 1] [--json]</c>: encode throughput.
/// Reports the first pass (empty word cache, what a new server sees) and the best of the following passes
/// (warm cache, what a long-running server sees), both in MB of UTF-8 input per second.</summary>
public static class BenchTokenizeCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var file = new Option<string?>("--file") { Description = "UTF-8 text to encode (default: a synthetic mixed text)" };
        var mb = new Option<double>("--mb") { Description = "Size of the synthetic text in MB", DefaultValueFactory = _ => 1.0 };
        var runs = new Option<int>("--runs") { Description = "Timed passes after the first", DefaultValueFactory = _ => 3 };
        var json = CommonOptions.Json();
        var cmd = new Command("bench-tokenize", "Measure tokenizer encode throughput (MB/s)") { model, file, mb, runs, json };
        cmd.SetAction(r => CliErrors.Run(() =>
        {
            var path = CommonOptions.ResolveModel(r.GetValue(model));
            var load = Stopwatch.StartNew();
            var tok = Tokenizer.FromFile(path);
            load.Stop();
            var f = r.GetValue(file);
            string text = f != null ? File.ReadAllText(f) : SyntheticText.Make((int)(r.GetValue(mb) * 1024 * 1024));
            double megabytes = Encoding.UTF8.GetByteCount(text) / (1024.0 * 1024.0);

            // JIT first (tiered compilation needs many calls before the hot loops reach optimized code), on a
            // throwaway instance so that its word cache does not warm the measured one.
            var warmText = SyntheticText.Make(256 * 1024, seed: 7);
            var jit = Tokenizer.FromFile(path);
            for (int i = 0; i < 8; i++) jit.Encode(warmText, addSpecial: false, parseSpecial: true);

            var sw = Stopwatch.StartNew();
            int tokens = tok.Encode(text, addSpecial: false, parseSpecial: true).Length;
            double cold = sw.Elapsed.TotalSeconds;
            double best = double.MaxValue;
            for (int i = 0; i < Math.Max(1, r.GetValue(runs)); i++)
            {
                sw.Restart();
                tok.Encode(text, addSpecial: false, parseSpecial: true);
                best = Math.Min(best, sw.Elapsed.TotalSeconds);
            }
            var result = new
            {
                vocab = Path.GetFileName(path),
                tokenizer = tok.Model + (tok.PreTokenizer != null ? "/" + tok.PreTokenizer : ""),
                text = f ?? "synthetic",
                megabytes = Math.Round(megabytes, 3),
                tokens,
                load_seconds = Math.Round(load.Elapsed.TotalSeconds, 3),
                first_pass_mb_per_s = Math.Round(megabytes / cold, 2),
                warm_mb_per_s = Math.Round(megabytes / best, 2),
                warm_tokens_per_s = Math.Round(tokens / best),
            };
            if (r.GetValue(json)) Console.Out.WriteLine(JsonSerializer.Serialize(result));
            else
            {
                Console.Out.WriteLine($"{result.vocab} ({result.tokenizer}): {megabytes:F2} MB {result.text} -> {tokens:N0} tokens");
                Console.Out.WriteLine($"  load {result.load_seconds:F2} s, first pass {result.first_pass_mb_per_s:F1} MB/s, warm {result.warm_mb_per_s:F1} MB/s ({result.warm_tokens_per_s:N0} tokens/s)");
            }
            return 0;
        }));
        return cmd;
    }

    /// <summary>A deterministic mix of what prompts contain: English prose, some code, numbers, and a share of
    /// non-Latin scripts and emoji, so that no single fast path dominates the figure.</summary>
    static class SyntheticText
    {
        static readonly string[] Words = ("the of and to in is that for it as was with be by on not he this are or his from at which but have an " +
            "they you were their one all we can her has there been if more when will would who so no model token sequence cache " +
            "inference engine batch decode prefill attention layer weights quantized throughput latency memory kernel vector " +
            "Although however Meanwhile Furthermore Tokenization Ponder Microsoft London Paris September").Split(' ');
        static readonly string[] Foreign = ["über", "naïve", "café", "Straße", "日本語の文章です", "中文分词测试", "한국어 문장", "русский текст", "ελληνικά", "مرحبا بالعالم", "हिन्दी पाठ", "🙂", "🚀✨", "👍🏽"];
        static readonly string[] Code =
        [
            "for (int i = 0; i < n; i++) {\n    sum += a[i] * b[i];\n}\n",
            "def encode(self, text: str) -> list[int]:\n    return [self.vocab[t] for t in text.split()]\n",
            "if (x != null && x.Length > 0) return x[0];\n",
            "    \"key\": \"value\", \"count\": 42,\n",
        ];

        public static string Make(int bytes, int seed = 20250220)
        {
            var rng = new Random(seed);
            var sb = new StringBuilder(bytes + 256);
            while (sb.Length < bytes)
            {
                int sentence = rng.Next(8, 24);
                for (int i = 0; i < sentence; i++)
                {
                    double p = rng.NextDouble();
                    string w = p < 0.90 ? Words[rng.Next(Words.Length)]
                        : p < 0.95 ? rng.Next(0, 100000).ToString(System.Globalization.CultureInfo.InvariantCulture)
                        : Foreign[rng.Next(Foreign.Length)];
                    if (i == 0) w = char.ToUpperInvariant(w[0]) + w[1..];
                    sb.Append(w);
                    sb.Append(i == sentence - 1 ? (rng.Next(4) == 0 ? "? " : ". ") : rng.Next(12) == 0 ? ", " : " ");
                }
                int q = rng.Next(10);
                if (q == 0) sb.Append("\n\n");
                else if (q == 1) sb.Append('\n').Append(Code[rng.Next(Code.Length)]).Append('\n');
            }
            if (char.IsHighSurrogate(sb[bytes - 1])) bytes--; // never cut a surrogate pair
            return sb.ToString(0, bytes);
        }
    }
}
