using System.CommandLine;
using Nachos.Host.Api;
using Nachos.Host.Client;
using Nachos.Host.Running;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Spectre.Console;
using Nachos.Host.Cli;
using Nachos.Host.Contract;

namespace Nachos.Host.Commands;

/// <summary>
/// <c>nachos submit SPEC</c>, also <c>nachos study submit SPEC</c> (one implementation under both names): checks a
/// study (spec, data, split plan) and adds it to the campaign, where the cluster's coordinators start it. With
/// --host (NACHOS_API) through that coordinator's API (the node checks it); otherwise into the campaign
/// directory --root (NACHOS_ROOT) directly (checked here; works whether or not the cluster is up).
/// <c>--wait</c> follows it to its report.
/// </summary>
public static class SubmitCommand
{
    public static Command Create()
    {
        var spec = new Argument<string>("spec") { Description = "study spec (YAML); relative paths in it resolve against its folder, which the nodes must see too" };
        var name = new Option<string?>("--name") { Description = "study id to use instead of the spec's name" };
        var wait = new Option<bool>("--wait") { Description = "wait for the report and print it (exit 0 complete, 1 partial, failed or cancelled)" };
        var command = new Command("submit", "check a study and add it to the campaign: through the coordinator at --host, else into the campaign directory --root") { spec, name, wait };
        command.WithApi();
        command.SetAction((r, cancel) =>
        {
            var (path, id, follow) = (Path.GetFullPath(r.GetValue(spec)!), r.GetValue(name), r.GetValue(wait));
            if (id is not null && !StudyName.IsValid(id))
                return Task.FromResult(ExitCodes.Refuse($"--name {id}: must start with a letter or digit and hold only letters, digits, '-', '_' or '.'"));
            if (GlobalOptions.ApiNamed(r))
                return ClientAction.Run(r, (_, client, c) => ThroughApi(client, path, id, follow, c), cancel);
            if (OptionOrEnvironment.Text(r, GlobalOptions.Root, "NACHOS_ROOT") is not { } root)
                return Task.FromResult(ExitCodes.Refuse("--root (or NACHOS_ROOT) is required: the campaign directory of the cluster; or --host (NACHOS_API) to submit through a coordinator's API"));
            return IntoCampaign(path, id, Path.GetFullPath(root), follow, cancel);
        });
        return command;
    }

    private static async Task<int> ThroughApi(ApiClient client, string path, string? name, bool wait, CancellationToken cancel)
    {
        if (!File.Exists(path)) return ExitCodes.Refuse($"{path}: no such spec file");
        var answer = await client.Post<SubmitResponse>("api/studies", new SubmitRequest(await File.ReadAllTextAsync(path, cancel), name, Path.GetDirectoryName(path)));
        foreach (var w in answer.Warnings) AnsiConsole.MarkupLineInterpolated($"[yellow]{w}[/]");
        Console.WriteLine(answer.Created ? $"submitted {answer.Id}" : $"{answer.Id} was already submitted ({answer.State})");
        if (!wait) return ExitCodes.Ok;

        var study = $"api/studies/{ClientAction.Segment(answer.Id)}";
        var detail = await AnsiConsole.Status().StartAsync($"waiting for {answer.Id}", async _ =>
        {
            while (true)
            {
                var d = await client.Get<StudyDetail>(study);
                if (StudyStates.IsFinal(d.State)) return d;
                await Task.Delay(500, cancel);
            }
        });
        if (detail.Report is not { } json)
        {
            Console.Error.WriteLine($"{answer.Id}: {detail.State}, no report");
            return ExitCodes.Failed;
        }
        return Finish(StudyReport.Parse(json.GetRawText()), await StudyResults.Get(client, answer.Id),
            $"report: nachos --host HOST report {answer.Id} (--format html for the HTML file)");
    }

    private static async Task<int> IntoCampaign(string path, string? name, string root, bool wait, CancellationToken cancel)
    {
        string? text = null;
        if (name is not null)
        {
            if (!File.Exists(path)) return ExitCodes.Refuse($"{path}: no such spec file");
            text = SpecText.WithName(File.ReadAllText(path), name);
        }
        var inputs = StudyInputs.Load(path, text);
        if (inputs is null) return ExitCodes.BadInput;
        var dir = RunDirectoryCatalog.StudyDirectory(root, inputs.Spec.Name);
        try
        {
            RunDirectoryCatalog.Store(dir, text ?? File.ReadAllText(path), path, inputs.Plan);
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
        var finished = StudyReport.Read(report);
        return Finish(finished, StudyResult.Load(dir, finished)?.Text, $"report: {report} (see also: nachos report {dir} --format html)", ReportTable.ReadCalibration(dir));
    }

    private static int Finish(StudyReport report, ResultText? result, string where, StudyCalibration? calibration = null)
    {
        ReportTable.Write(report, result: result, calibration: calibration);
        Console.WriteLine(where);
        if (report.Complete) return ExitCodes.Ok;
        ReportTable.WriteFaults(report);
        return ExitCodes.Failed;
    }
}
