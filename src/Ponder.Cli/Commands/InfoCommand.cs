using System.CommandLine;
using Ponder.Gguf;
using Spectre.Console;

namespace Ponder.Cli.Commands;

/// <summary><c>ponder info -m MODEL</c>: metadata and tensor table of a GGUF file.</summary>
public static class InfoCommand
{
    public static Command Create()
    {
        var model = CommonOptions.Model();
        var cmd = new Command("info", "Show a GGUF file's metadata and tensors") { model };
        cmd.SetAction(r =>
        {
            using var f = GgufFile.Open(CommonOptions.ResolveModel(r.GetValue(model)));
            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(Path.GetFileName(f.Path))}[/]  GGUF v{f.Version}, {f.Length:N0} bytes, alignment {f.Alignment}");
            var meta = new Table().AddColumn("key").AddColumn("type").AddColumn("value");
            foreach (var k in f.Metadata.Keys)
            {
                var v = f.Metadata[k];
                meta.AddRow(Markup.Escape(k), Markup.Escape(v.IsArray ? $"{v.ElementType}[]" : v.Type.ToString()), Markup.Escape(v.ToString()));
            }
            AnsiConsole.Write(meta);
            var t = new Table().AddColumn("tensor").AddColumn("type").AddColumn("shape").AddColumn(new TableColumn("bytes").RightAligned());
            foreach (var ti in f.Tensors)
                t.AddRow(Markup.Escape(ti.Name), ti.Type.ToString(), string.Join(" × ", ti.Dims), ti.ByteSize.ToString("N0"));
            AnsiConsole.Write(t);
            return 0;
        });
        return cmd;
    }
}
