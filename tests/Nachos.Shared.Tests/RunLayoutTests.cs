using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

public sealed class RunLayoutTests
{
    [Fact]
    public void A_task_s_folder_is_its_address_below_the_run_directory()
    {
        Assert.Equal("/runs/quick/o1/t2/s3", RunLayout.TaskDirectory("/runs/quick", TaskAddress.InnerSplit("quick", 1, 2, 3)));
        Assert.Equal("/runs/quick/o0/refit", RunLayout.TaskDirectory("/runs/quick", TaskAddress.Refit("quick", 0)));
        Assert.Equal("/runs/quick/o0/s1", RunLayout.TaskDirectory("/runs/quick", TaskAddress.Standalone("quick", 0, 1)));
        Assert.Equal("/runs/quick/o0/train", RunLayout.TaskDirectory("/runs/quick", TaskAddress.Standalone("quick", 0, null)));
    }

    // The names on disk are a contract with existing run directories (resume) and with users' scripts: pinned here.
    [Fact]
    public void The_file_names_stay_those_existing_run_directories_hold()
    {
        Assert.Equal(
            ["spec.yaml", "spec-source.txt", "splits.json", "report.json", "report.csv", "journal.db", "cancelled"],
            [RunLayout.Spec, RunLayout.SpecSource, RunLayout.Splits, RunLayout.Report, RunLayout.ReportCsv, RunLayout.Journal, RunLayout.Cancelled]);
        Assert.Equal(
            ["history.csv", "predictions.csv", "metrics.json", "model.pt", "best.pt", "checkpoint", "task.json", "result.json", "failure.json", "attempts.log"],
            [RunLayout.History, RunLayout.Predictions, RunLayout.Metrics, RunLayout.Model, RunLayout.BestModel, RunLayout.Checkpoint,
                RunLayout.TaskFile, RunLayout.Result, RunLayout.Failure, RunLayout.AttemptsLog]);
        var task = RunLayout.TaskDirectory("/r", TaskAddress.Refit("s", 2));
        Assert.Equal("/r/o2/refit/predictions.csv", RunLayout.PredictionsPath(task));
        Assert.Equal("/r/o2/refit/checkpoint", RunLayout.CheckpointFolder(task));
        Assert.Equal("/r/report.json", RunLayout.ReportPath("/r"));
        Assert.Equal("/r/splits.json", RunLayout.SplitsPath("/r"));
    }
}
