using System.CommandLine;
using System.Diagnostics;
using Ponder.Gguf;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder quantize IN.gguf OUT.gguf TYPE</c>: every 2-D weight re-encoded to TYPE, like
/// <c>llama-quantize --pure</c>; 1-D tensors F32; metadata copied, general.file_type set.</summary>
public static class QuantizeCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "Source GGUF model" };
        var output = new Argument<string>("output") { Description = "GGUF file to write" };
        var type = new Argument<string>("type") { Description = "Target type: F32 F16 BF16 Q8_0 Q4_0 Q4_K Q6_K" };
        var cmd = new Command("quantize", "Re-encode a model's 2-D weights to another type (like llama-quantize --pure)") { input, output, type };
        cmd.SetAction(r =>
        {
            var sw = Stopwatch.StartNew();
            var target = GgufQuantizer.ParseType(r.GetValue(type)!);
            string inPath = r.GetValue(input)!, outPath = r.GetValue(output)!;
            if (!File.Exists(inPath)) throw new FileNotFoundException($"model file not found: {inPath}");
            GgufQuantizer.Run(inPath, outPath, target);
            Console.Error.WriteLine($"wrote {outPath}: {target}, {new FileInfo(outPath).Length:N0} bytes in {sw.Elapsed.TotalSeconds:F1} s");
            return 0;
        });
        return cmd;
    }
}
