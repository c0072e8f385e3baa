using System.CommandLine;
using Nachos.Host.Api;
using Nachos.Host.Client;
using Nachos.Host.Running;
using Nachos.Shared.Study;
using Spectre.Console;
using Nachos.Host.Cli;
using Nachos.Host.Contract;

namespace Nachos.Host.Commands;

/// <summary><c>nachos study …</c>: submit, list, show, watch, pause, resume, cancel and report studies through a coordinator's API.</summary>
public static class StudyCommand
{
    public static Command Create()
    {
        var study = new Command("study", "studies of the cluster (through the control API)");
        study.Subcommands.Add(SubmitCommand.Create()); // also `nachos submit`
        study.Subcommands.Add(List());
        study.Subcommands.Add(Show());
        study.Subcommands.Add(StudyWatch.Create());
        foreach (var (action, description) in new[] { ("pause", "stop handing out the study's tasks (running ones finish)"), ("resume", "hand out a paused study's tasks again"), ("cancel", "stop the study for good: running tasks stop, nothing more runs") })
            study.Subcommands.Add(Control(action, description));
        study.Subcommands.Add(ReportCommand.Create()); // also `nachos report`
        return study;
    }

    private static Argument<string> Id() => StudyIds.Argument("id", "study id (its spec's name)");

    private static Command List()
    {
        var command = new Command("list", "every study of the campaign with its state and progress");
        ClientAction.Set(command, async (_, client, _) =>
        {
            var studies = await client.Get<List<StudySummary>>("api/studies");
            if (studies.Count == 0) Console.WriteLine("no studies");
            else AnsiConsole.Write(Tables.Studies(studies));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show()
    {
        var id = Id();
        var command = new Command("show", "a study's state, progress per outer fold, and its report once finished") { id };
        ClientAction.Set(command, async (r, client, _) =>
        {
            var study = await client.Get<StudyDetail>($"api/studies/{ClientAction.Segment(r.GetValue(id)!)}");
            AnsiConsole.Write(Tables.Folds(study, study.ProgressView([])));
            if (study.Report is { } report) ReportTable.Write(StudyReport.Parse(report.GetRawText()), result: await StudyResults.Get(client, study.Id));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Control(string action, string description)
    {
        var id = Id();
        var command = new Command(action, description) { id };
        ClientAction.Set(command, async (r, client, _) =>
        {
            var answer = await client.Post<ControlResponse>($"api/studies/{ClientAction.Segment(r.GetValue(id)!)}/{action}");
            Console.WriteLine($"{answer.Id}: {answer.State}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
