using System.CommandLine;
using Nachos.Host.Dashboard;
using Nachos.Host.Running;
using Spectre.Console;
using Nachos.Shared.Study;
using Nachos.Shared.Files;

namespace Nachos.Host.Commands;

/// <summary>
/// <c>nachos report RUN_DIR</c>: a finished study's report as the console table, the stored JSON or CSV, or one
/// self-contained HTML file (the study page and every model page) to share.
/// </summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var runDir = new Argument<string>("run-dir") { Description = "the study's run directory (holding report.json)" };
        var format = new Option<string>("--format") { Description = "table, json, csv or html (one self-contained file)", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "csv", "html");
        var output = new Option<string?>("--out") { Description = "file to write (default: standard output)" };
        var command = new Command("report", "show a finished study's report, or export it as one HTML file") { runDir, format, output };
        command.SetAction(r => Run(r.GetValue(runDir)!, r.GetValue(format)!, r.GetValue(output)));
        return command;
    }

    private static int Run(string runDir, string format, string? outFile)
    {
        try
        {
            var report = StudyRun.ReadReport(runDir);
            if (format == "table" && outFile is null)
            {
                ReportTable.Write(report);
                return ExitCodes.Ok;
            }
            var text = format switch
            {
                "json" => File.ReadAllText(RunLayout.ReportPath(runDir)),
                "csv" => File.Exists(RunLayout.ReportCsvPath(runDir))
                    ? File.ReadAllText(RunLayout.ReportCsvPath(runDir))
                    : throw new RunDirectoryException($"{Path.GetFullPath(RunLayout.ReportCsvPath(runDir))}: no such file"),
                "html" => new DashboardRenderer(StudyRun.Load(runDir)).Export(),
                _ => PlainTable(report),
            };
            if (outFile is null)
            {
                Console.Out.Write(text);
                return ExitCodes.Ok;
            }
            var full = Path.GetFullPath(outFile);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            AtomicFile.WriteAllText(full, text);
            Console.WriteLine($"wrote {full}");
            return ExitCodes.Ok;
        }
        catch (RunDirectoryException e)
        {
            return ExitCodes.Refuse(e.Message);
        }
    }

    /// <summary>The console table as plain text, for a file.</summary>
    private static string PlainTable(Shared.Study.StudyReport report)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
        });
        console.Profile.Width = 120;
        ReportTable.Write(report, console);
        return writer.ToString();
    }
}
