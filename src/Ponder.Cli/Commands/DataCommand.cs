using System.CommandLine;
using Ponder.Reasoning.Tasks.Arith;

namespace Ponder.Cli.Commands;

/// <summary>
/// <c>ponder data arith --count N --seed S [--min-steps 2] [--max-steps 8] -o FILE.jsonl</c>:
/// writes N problems of the arith task family, one JSON object per line, reproducible from the seed.
/// </summary>
public static class DataCommand
{
    public static Command Create()
    {
        var count = new Option<int>("--count") { Description = "How many problems", Required = true };
        var seed = new Option<ulong>("--seed") { Description = "Generator seed (same seed, same problems)", DefaultValueFactory = _ => 0 };
        var minSteps = new Option<int>("--min-steps") { Description = "Fewest operators per problem (1..20)", DefaultValueFactory = _ => 2 };
        var maxSteps = new Option<int>("--max-steps") { Description = "Most operators per problem (1..20)", DefaultValueFactory = _ => 8 };
        var output = new Option<string>("--output", "-o") { Description = "Output JSONL file", Required = true };
        var arith = new Command("arith", "Multi-step left-to-right arithmetic problems (+ - *)") { count, seed, minSteps, maxSteps, output };
        arith.SetAction(r =>
        {
            int n = r.GetValue(count);
            if (n <= 0) throw new ArgumentException($"--count must be positive, got {n}");
            var gen = new ArithGenerator(r.GetValue(seed), r.GetValue(minSteps), r.GetValue(maxSteps));
            string path = r.GetValue(output)!;
            ArithJsonl.Write(path, gen.Take(n));
            return 0;
        });
        return new Command("data", "Generate task data sets") { arith };
    }
}
