using System.CommandLine;
using Nachos.Host.Application;
using Nachos.Host.Client;
using Nachos.Host.Dashboard;
using Nachos.Host.Running;
using Spectre.Console;
using Nachos.Shared.Study;
using Nachos.Shared.Files;
using Nachos.Host.Cli;

namespace Nachos.Host.Commands;

/// <summary>
/// <c>nachos report STUDY</c>, also <c>nachos study report STUDY</c> (one implementation under both names): a
/// finished study's report as the console table, the stored JSON or CSV, or one self-contained HTML file (the
/// study page and every model page) to share. STUDY is a run directory; else a study id, asked of the
/// coordinator at --host, or read from the campaign directory --root.
/// </summary>
public static class ReportCommand
{
    public static Command Create()
    {
        var study = StudyIds.Argument("study", "a run directory (holding report.json), or a study id: of the coordinator at --host, else in the campaign directory --root");
        var format = new Option<string>("--format") { Description = "table, json, csv or html (one self-contained file)", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "csv", "html");
        var output = new Option<string?>("--out") { Description = "file to write (default: standard output)" };
        var command = new Command("report", "show a finished study's report, or export it as one HTML file") { study, format, output };
        command.WithApi();
        command.SetAction((r, cancel) =>
        {
            var target = r.GetValue(study)!;
            var (fmt, outFile) = (r.GetValue(format)!, r.GetValue(output));
            if (Directory.Exists(target) || !GlobalOptions.ApiNamed(r))
            {
                var runDir = Directory.Exists(target) || OptionOrEnvironment.Text(r, GlobalOptions.Root, "NACHOS_ROOT") is not { } root
                    ? target
                    : RunDirectoryCatalog.StudyDirectory(Path.GetFullPath(root), target);
                return FromRunDirectory(runDir, fmt, outFile);
            }
            return ClientAction.Run(r, async (_, client, _) =>
            {
                var path = $"api/studies/{ClientAction.Segment(target)}/report?format=";
                return await Write(_ => StudyResults.Get(client, target), f => client.GetText(path + f), fmt, outFile);
            }, cancel);
        });
        return command;
    }

    private static async Task<int> FromRunDirectory(string runDir, string format, string? outFile)
    {
        try
        {
            StudyRun.ReadReport(runDir); // refuses a missing directory or report, or one that does not parse
            return await Write(report => Task.FromResult(StudyResult.Load(runDir, report)?.Text), f =>
            {
                var document = ReportDocument.Of(runDir, f, () => new DashboardRenderer(StudyRun.Load(runDir)).Export(), path => $"{path}: no such file");
                return Task.FromResult(document.Refusal is { } refusal ? throw new RunDirectoryException(refusal.Detail) : document.Value!.ReadText());
            }, format, outFile, format == "table" ? ReportTable.ReadCalibration(runDir) : null);
        }
        catch (RunDirectoryException e)
        {
            return ExitCodes.Refuse(e.Message);
        }
    }

    /// <param name="result">The result in words for a report (null: it cannot be stated).</param>
    /// <param name="fetch">The report as json, csv or html text.</param>
    /// <param name="calibration">The study's calibration, when its run directory is at hand.</param>
    private static async Task<int> Write(Func<StudyReport, Task<ResultText?>> result, Func<string, Task<string>> fetch, string format, string? outFile,
        StudyCalibration? calibration = null)
    {
        string text;
        if (format == "table")
        {
            var report = StudyReport.Parse(await fetch("json"));
            if (outFile is null)
            {
                ReportTable.Write(report, result: await result(report), calibration: calibration);
                return ExitCodes.Ok;
            }
            var stated = await result(report);
            text = CommandOutput.Plain(console => ReportTable.Write(report, console, stated, calibration), 120);
        }
        else text = await fetch(format);
        return CommandOutput.Write(text, outFile);
    }
}
