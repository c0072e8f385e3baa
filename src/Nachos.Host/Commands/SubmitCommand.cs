using System.CommandLine;
using Nachos.Host.Running;
using Nachos.Shared.Study;
using Spectre.Console;

namespace Nachos.Host.Commands;

/// <summary>
/// <c>nachos submit SPEC --root DIR</c>: checks a study (spec, data, split plan) and stores it in the
/// campaign directory, where the cluster's coordinators pick it up. <c>--wait</c> follows it to its report.
/// </summary>
public static class SubmitCommand
{
    public static Command Create()
    {
        var spec = new Argument<string>("spec") { Description = "study spec (YAML)" };
        var root = GlobalOptions.Root;
        var wait = new Option<bool>("--wait") { Description = "wait for the report and print it" };
        var command = new Command("submit", "submit a study to a cluster's campaign directory (the files; `nachos study submit` goes through the API)") { spec, wait };
        command.SetAction((r, cancel) => Run(r.GetValue(spec)!, OptionOrEnvironment.Text(r, root, "NACHOS_ROOT"), r.GetValue(wait), cancel));
        return command;
    }

    private static async Task<int> Run(string specPath, string? root, bool wait, CancellationToken cancel)
    {
        if (root is null) return ExitCodes.Refuse("--root (or NACHOS_ROOT) is required: the campaign directory of the cluster");
        var inputs = StudyInputs.Load(specPath);
        if (inputs is null) return ExitCodes.BadInput;
        var dir = RunDirectoryCatalog.StudyDirectory(Path.GetFullPath(root), inputs.Spec.Name);
        try
        {
            RunDirectoryCatalog.Store(dir, specPath, inputs.Plan);
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidDataException)
        {
            return ExitCodes.Refuse(e.Message);
        }
        Console.WriteLine($"submitted {inputs.Spec.Name} to {dir}");
        if (!wait) return ExitCodes.Ok;

        var report = RunLayout.ReportPath(dir);
        try
        {
            await AnsiConsole.Status().StartAsync($"waiting for {inputs.Spec.Name}", async _ =>
            {
                while (!File.Exists(report)) await Task.Delay(500, cancel);
            });
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Interrupted;
        }
        var result = StudyReport.Read(report);
        ReportTable.Write(result);
        Console.WriteLine($"report: {report} (see also: nachos report {dir} --format html)");
        if (result.Complete) return ExitCodes.Ok;
        ReportTable.WriteFaults(result);
        return ExitCodes.Failed;
    }
}
