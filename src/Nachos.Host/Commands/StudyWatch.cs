using Nachos.Host.Running;
using System.CommandLine;
using Nachos.Host.Client;
using Spectre.Console;
using Spectre.Console.Rendering;
using Nachos.Host.Application;
using Nachos.Host.Cli;
using Nachos.Host.Contract;
using Nachos.Shared.Study;
using Nachos.Shared.Metrics;

namespace Nachos.Host.Commands;

/// <summary>
/// <c>nachos study watch ID</c>: per-fold progress bars, the running tasks' epochs and the best trials, refreshed
/// until the study ends; exit 0 when it completes, 1 when it fails or is cancelled. Without a terminal it prints a
/// line per change (of the counts, or of a running task's epoch).
/// </summary>
public static class StudyWatch
{
    public static Command Create()
    {
        var id = StudyIds.Argument("id", "study id");
        var every = new Option<double>("--interval") { Description = "seconds between refreshes", DefaultValueFactory = _ => 2 };
        var top = new Option<int>("--top") { Description = "trials to show per outer fold, best first", DefaultValueFactory = _ => 5 };
        var command = new Command("watch", "follow a study until it ends") { id, every, top };
        ClientAction.Set(command, async (r, client, cancel) =>
        {
            var path = $"api/studies/{ClientAction.Segment(r.GetValue(id)!)}";
            var interval = TimeSpan.FromSeconds(Math.Max(0.2, r.GetValue(every)));
            StudyDetail study;
            if (AnsiConsole.Profile.Capabilities.Interactive)
            {
                (study, var progress) = await Progress(client, path);
                var trials = await client.Get<TrialList>(path + "/trials");
                await AnsiConsole.Live(View(study, progress, trials, r.GetValue(top))).StartAsync(async live =>
                {
                    while (!StudyStates.IsFinal(study.State))
                    {
                        await Task.Delay(interval, cancel);
                        (study, progress) = await Progress(client, path);
                        trials = await client.Get<TrialList>(path + "/trials");
                        live.UpdateTarget(View(study, progress, trials, r.GetValue(top)));
                    }
                });
            }
            else
            {
                var last = "";
                var epochs = new Dictionary<string, int>();
                StudyProgressView progress;
                while (true)
                {
                    (study, progress) = await Progress(client, path);
                    // A line when the counts, a best score or the retries change, not every time the clock moves.
                    var line = $"{study.Id}: {study.State}, {progress.Summary()}{Best(study, progress)}{Retries(progress)}";
                    if (line != last) Console.WriteLine($"{line}; {study.TimeText(progress, DateTimeOffset.UtcNow)}");
                    last = line;
                    if (StudyStates.IsFinal(study.State)) break;
                    foreach (var t in progress.Running)
                        if (t.Epoch is { } e && epochs.GetValueOrDefault(t.TaskId) != e)
                        {
                            epochs[t.TaskId] = e;
                            Console.WriteLine($"  {t.TaskId}: {t.EpochText()}");
                        }
                    await Task.Delay(interval, cancel);
                }
                AnsiConsole.Write(Tables.Folds(study, progress));
                AnsiConsole.Write(Trials(await client.Get<TrialList>(path + "/trials"), r.GetValue(top)));
            }
            Console.WriteLine($"{study.Id}: {study.State}");
            // It ends with the result, as nachos run does.
            if (study.Report is { } report) ReportTable.Write(StudyReport.Parse(report.GetRawText()), result: await StudyResults.Get(client, study.Id));
            return study.State == StudyStates.Complete ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    /// <summary>The study's detail and its progress model (with the running tasks' epochs).</summary>
    private static async Task<(StudyDetail, StudyProgressView)> Progress(ApiClient client, string path)
    {
        var study = await client.Get<StudyDetail>(path);
        var running = await client.Get<TaskList>(path + "/tasks?state=running");
        return (study, study.ProgressView(running.Tasks));
    }

    /// <summary>"; best inner auroc: fold 0 0.812, fold 1 0.775" over the folds with a trial trained in full, or "".</summary>
    private static string Best(StudyDetail study, StudyProgressView progress) =>
        progress.Folds.Where(f => f.BestScore is not null).Select(f => $"fold {f.Outer} {MetricText.Show(f.BestScore, "-")}").ToList() is { Count: > 0 } best
            ? $"; best inner {study.Metric}: {string.Join(", ", best)}" : "";

    private static string Retries(StudyProgressView progress) => progress.RetryText() is { Length: > 0 } text ? $"; {text}" : "";

    private static Table Trials(TrialList trials, int top) => Tables.TrialTable(StudyViews.Table(trials), trials.Trials.Any(t => t.Chosen), top);

    private static IRenderable View(StudyDetail study, StudyProgressView progress, TrialList trials, int top)
    {
        var time = new Markup(Markup.Escape(study.TimeText(progress, DateTimeOffset.UtcNow))
                              + (progress.RetryText() is { Length: > 0 } retries ? $" [yellow]({Markup.Escape(retries)})[/]" : ""));
        return progress.Running.Count > 0
            ? new Rows(time, Tables.Folds(study, progress), Tables.Running(study.Id, progress), Trials(trials, top))
            : new Rows(time, Tables.Folds(study, progress), Trials(trials, top));
    }
}
