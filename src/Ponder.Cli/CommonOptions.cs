using System.CommandLine;

namespace Ponder.Cli;

/// <summary>Options shared by many commands, so they are spelled the same everywhere.</summary>
public static class CommonOptions
{
    /// <summary>The model used when -m is not given: the default model kept in the repository.</summary>
    public const string DefaultModelRelative = "models/ponder-arith.gguf";

    public static Option<string?> Model() => new("--model", "-m") { Description = "Path to a GGUF model file (default: the shipped model)" };

    public static Option<int> Threads() => new("--threads", "-t")
    {
        Description = "Worker threads (default: all cores)",
        DefaultValueFactory = _ => Environment.ProcessorCount,
    };

    public static Option<bool> Json() => new("--json") { Description = "Print one JSON object instead of text" };

    /// <summary>The model path, or the shipped default found next to the binaries or above the working directory.</summary>
    public static string ResolveModel(string? path)
    {
        if (!string.IsNullOrEmpty(path)) return path;
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var d = new DirectoryInfo(start); d != null; d = d.Parent)
            {
                var p = Path.Combine(d.FullName, DefaultModelRelative);
                if (File.Exists(p)) return p;
            }
        }
        throw new FileNotFoundException($"no -m given and the default model {DefaultModelRelative} was not found; pass -m MODEL.gguf");
    }

    /// <summary>JSON output of the CLI uses snake_case names (as the OpenAI API and llama.cpp's tools do).</summary>
    public static readonly System.Text.Json.JsonSerializerOptions SnakeCase = new()
    {
        PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower,
    };

    /// <summary>"1,5,9" or "1 5 9" → ids; a clear error for anything else.</summary>
    public static int[] ParseIds(string text)
    {
        var parts = text.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 0) throw new ArgumentException("no token ids given");
        var ids = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], out ids[i]) || ids[i] < 0)
                throw new ArgumentException($"'{parts[i]}' is not a token id (a non-negative integer)");
        return ids;
    }
}
