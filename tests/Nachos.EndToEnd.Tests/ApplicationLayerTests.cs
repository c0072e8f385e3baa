using System.Text.Json;
using Nachos.Host.Application;
using Nachos.Host.Contract;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.EndToEnd.Tests;

/// <summary>The application layer's pure parts: the documents built from the progress model, and a report in each format.</summary>
public sealed class ApplicationLayerTests
{
    private static readonly Hyperparameters Config = Hyperparameters.Empty.With("learning_rate", 0.01);

    /// <summary>Study a, 2 trials × 2 inner splits × 2 outer folds: fold 0 has one trial done, a failed task and one running at epoch 4 of 9.</summary>
    private static IReadOnlyList<TaskView> Tasks()
    {
        var s = QueueState.Empty;
        foreach (var outer in new[] { 0, 1 })
        foreach (var trial in new[] { 0, 1 })
        foreach (var inner in new[] { 0, 1 })
            s = s.Apply(new TaskQueued(TaskSpec.ForSplit("a", outer, trial, inner, Config, 9, 1), 0));
        foreach (var id in new[] { "a/o0/t0/s0", "a/o0/t0/s1" })
            s = s.Apply(new TaskCompleted(new TaskOutcome(id, new TrainingResult(id, 2, 9, 0.4, new Dictionary<string, double?> { ["auroc"] = 0.7 },
                new Dictionary<string, double?>(), "h.csv", "p.csv", 1, "cpu0"), null, 1)));
        s = s.Apply(new TaskCompleted(new TaskOutcome("a/o0/t1/s0", null, "loss is NaN", 1, FailureKind.Diverged)));
        return s.TasksOf("a", new HashSet<string> { "a/o0/t1/s1", "a/o1/t0/s0" },
            new Dictionary<string, EpochProgress> { ["a/o0/t1/s1"] = new(4, 9, 0.5, 0.6, "val_loss", 0.6, 2) });
    }

    private static T RoundTrip<T>(T value) => JsonSerializer.Deserialize<T>(JsonSerializer.Serialize(value, ApiJson.Options), ApiJson.Options)!;

    [Fact]
    public void Study_watch_rebuilds_from_the_api_s_documents_the_progress_model_the_server_computed()
    {
        var tasks = Tasks();
        var model = StudyProgressView.Of(tasks, trials: 2, innerSplits: [2, 2], "auroc", maximise: true);
        var started = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var detail = RoundTrip(new StudyDetail("a", StudyStates.Running, StudyViews.ProgressInfo(model, started, devices: 2), StudyViews.FoldInfos(model), "auroc", null));
        var running = RoundTrip(new TaskList("a", StudyViews.TaskInfos(tasks, null, TaskStates.Running)));

        var rebuilt = detail.ProgressView(running.Tasks);

        Assert.Equal((3, 10, 1), (rebuilt.TasksEnded, rebuilt.TasksTotal, rebuilt.Failed));
        Assert.Equal(model.Folds, rebuilt.Folds);
        Assert.Equal(model.Running, rebuilt.Running);
        Assert.Equal(model.Summary(), rebuilt.Summary());
        Assert.Equal(["epoch 4/9", "-"], rebuilt.Running.Select(t => t.EpochText()));
        Assert.Equal((3, 10, 2, 1), (detail.Progress.TasksEnded, detail.Progress.TasksTotal, detail.Progress.Running, detail.Progress.Failed));
        // The time estimate, the best score per fold and the failures cross the wire too.
        Assert.Equal((started, 2), (detail.Progress.Started, detail.Progress.Devices));
        Assert.Equal([0.7, null], rebuilt.Folds.Select(f => f.BestScore));
        Assert.Equal("failed: 1 diverged", rebuilt.RetryText());
        Assert.Equal(model.TimeText(TimeSpan.FromMinutes(2), 2), detail.TimeText(rebuilt, started.AddMinutes(2)));
        Assert.Contains("left (mean task", detail.TimeText(rebuilt, started.AddMinutes(2)));
    }

    [Fact]
    public void Tasks_are_filtered_by_fold_and_state_and_ordered_by_fold_trial_and_split()
    {
        var tasks = Tasks();

        Assert.Equal(["a/o0/t0/s0", "a/o0/t0/s1", "a/o0/t1/s0", "a/o0/t1/s1"], StudyViews.TaskInfos(tasks, 0, null).Select(t => t.TaskId));
        Assert.Equal(["a/o0/t1/s1", "a/o1/t0/s0"], StudyViews.TaskInfos(tasks, null, TaskStates.Running).Select(t => t.TaskId));
        var failed = Assert.Single(StudyViews.TaskInfos(tasks, null, TaskStates.Failed));
        Assert.Equal((FailureKind.Diverged, "loss is NaN"), (failed.Kind, failed.Error));
    }

    [Fact]
    public void A_report_is_its_stored_json_or_csv_file_or_the_rendered_html_and_a_missing_csv_or_unknown_format_is_refused()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File(RunLayout.Report), "{}");
        var rendered = 0;
        string Html() => $"<html>{++rendered}</html>";

        var json = ReportDocument.Of(dir.Path, "json", Html, p => $"{p}: no such file");
        Assert.Equal(new ReportDocument("application/json", RunLayout.ReportPath(dir.Path), null), json.Value);
        Assert.Equal("{}", json.Value!.ReadText());
        var noCsv = ReportDocument.Of(dir.Path, "csv", Html, p => $"{p}: no such file");
        Assert.Equal(Refusal.NotFound($"{Path.GetFullPath(RunLayout.ReportCsvPath(dir.Path))}: no such file"), noCsv.Refusal);
        Assert.Null(noCsv.Value);
        File.WriteAllText(RunLayout.ReportCsvPath(dir.Path), "metric,value\n");
        Assert.Equal("metric,value\n", ReportDocument.Of(dir.Path, "csv", Html, p => p).Value!.ReadText());
        Assert.Equal(0, rendered);

        var html = ReportDocument.Of(dir.Path, "html", Html, p => p).Value!;
        Assert.Equal(("text/html; charset=utf-8", "<html>1</html>"), (html.MediaType, html.ReadText()));
        Assert.Equal(Refusal.BadRequest("format 'pdf': expected json, csv, html or result"), ReportDocument.Of(dir.Path, "pdf", Html, p => p).Refusal);
    }
}
