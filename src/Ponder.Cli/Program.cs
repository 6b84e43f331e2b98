using System.CommandLine;
using Ponder.Cli;
using Ponder.Cli.Commands;

var root = new RootCommand("Ponder: a .NET inference engine for test-time compute");
foreach (var c in CommandCatalog.All()) root.Subcommands.Add(c);
return CliErrors.Run(() => root.Parse(args).Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false }));
