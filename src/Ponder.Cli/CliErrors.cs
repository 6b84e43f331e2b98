using Ponder.Gguf;

namespace Ponder.Cli;

/// <summary>Maps library errors to the CLI's contract: exit code 2 and one line on stderr, no stack trace.</summary>
public static class CliErrors
{
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (IsUserError(e))
        {
            Console.Out.Flush();
            Console.Error.WriteLine($"error: {OneLine(e.Message)}");
            return 2;
        }
    }

    /// <summary>Errors caused by the input (file, options, data), as opposed to bugs.</summary>
    public static bool IsUserError(Exception e) => e is GgufFormatException or PonderException or IOException
        or UnauthorizedAccessException or ArgumentException or FormatException or NotSupportedException
        or InvalidDataException or OverflowException;

    static string OneLine(string s) => s.ReplaceLineEndings(" ");
}
