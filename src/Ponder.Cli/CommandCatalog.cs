using System.CommandLine;
using System.Reflection;

namespace Ponder.Cli;

/// <summary>Every type in Ponder.Cli.Commands with a static <c>Create()</c> returning a Command is a
/// subcommand, so adding a command is adding one file.</summary>
public static class CommandCatalog
{
    public static IEnumerable<Command> All()
    {
        foreach (var t in typeof(CommandCatalog).Assembly.GetTypes())
        {
            if (t.Namespace != "Ponder.Cli.Commands") continue;
            var m = t.GetMethod("Create", BindingFlags.Public | BindingFlags.Static, Type.EmptyTypes);
            if (m?.ReturnType == typeof(Command)) yield return (Command)m.Invoke(null, null)!;
        }
    }
}
