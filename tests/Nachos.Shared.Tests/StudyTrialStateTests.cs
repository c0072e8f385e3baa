using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

public sealed class StudyTrialStateTests
{
    private static readonly Hyperparameters Config = Hyperparameters.Empty.With("learning_rate", 0.003).With("optimizer", "adam");

    private static TrialState Requested(int splits = 3, string metric = "auroc") =>
        TrialState.Empty.Apply(new TrialRequested("st", 1, 2, Config, splits, MaxEpochs: 12, Seed: 99, metric));

    private static TaskOutcome Ok(int inner, double? auroc, int bestEpoch, double? loss = 0.5, int attempts = 1) =>
        new(TaskAddress.InnerSplit("st", 1, 2, inner).ToString(),
            new TrainingResult(TaskAddress.InnerSplit("st", 1, 2, inner).ToString(), bestEpoch, bestEpoch + 2, loss,
                new Dictionary<string, double?> { ["auroc"] = auroc, ["accuracy"] = 0.5 }, new Dictionary<string, double?>(),
                "history.csv", "predictions.csv", 1.0, "cpu0"),
            null, attempts);

    [Fact]
    public void Result_is_the_mean_split_score_with_its_standard_error_and_mean_best_epoch()
    {
        var t = Requested()
            .Apply(new SplitFinished(2, Ok(2, 0.9, bestEpoch: 8)))
            .Apply(new SplitFinished(0, Ok(0, 0.7, bestEpoch: 3)))
            .Apply(new SplitFinished(1, Ok(1, 0.8, bestEpoch: 4)));

        Assert.True(t.Done);
        var r = t.Result();

        Assert.False(r.Failed);
        Assert.Null(r.Failure);
        Assert.Equal(2, r.Trial);
        Assert.Equal(Config, r.Config);
        Assert.Equal(0.8, r.Score!.Value, 12);
        // SD of {0.7, 0.8, 0.9} is 0.1, SE = 0.1 / sqrt(3).
        Assert.Equal(0.1 / Math.Sqrt(3), r.StandardError!.Value, 12);
        Assert.Equal((3 + 4 + 8) / 3.0, r.MeanBestEpoch, 12);
        // Split scores in split order, whatever order they arrived in.
        Assert.Equal(3, r.SplitScores.Count);
        Assert.Equal(0.7, r.SplitScores[0]!.Value, 12);
        Assert.Equal(0.8, r.SplitScores[1]!.Value, 12);
        Assert.Equal(0.9, r.SplitScores[2]!.Value, 12);
    }

    [Fact]
    public void Result_of_a_single_split_has_a_score_and_no_standard_error()
    {
        var r = Requested(splits: 1).Apply(new SplitFinished(0, Ok(0, 0.66, bestEpoch: 5))).Result();

        Assert.False(r.Failed);
        Assert.Equal(0.66, r.Score!.Value, 12);
        Assert.Null(r.StandardError);
        Assert.Equal(5.0, r.MeanBestEpoch, 12);
    }

    [Fact]
    public void A_failed_split_fails_the_trial_naming_the_task()
    {
        var failedId = TaskAddress.InnerSplit("st", 1, 2, 1).ToString();
        var r = Requested()
            .Apply(new SplitFinished(0, Ok(0, 0.7, 3)))
            .Apply(new SplitFinished(1, new TaskOutcome(failedId, null, "CUDA out of memory", 3)))
            .Apply(new SplitFinished(2, Ok(2, 0.9, 5)))
            .Result();

        Assert.True(r.Failed);
        Assert.Contains(failedId, r.Failure);
        Assert.Contains("CUDA out of memory", r.Failure);
        Assert.Null(r.Score);
        Assert.Null(r.StandardError);
    }

    [Fact]
    public void An_undefined_validation_metric_fails_the_trial()
    {
        var r = Requested()
            .Apply(new SplitFinished(0, Ok(0, 0.7, 3)))
            .Apply(new SplitFinished(1, Ok(1, null, 4)))
            .Apply(new SplitFinished(2, Ok(2, 0.9, 5)))
            .Result();

        Assert.True(r.Failed);
        Assert.Contains("auroc", r.Failure);
        Assert.Null(r.Score);
        Assert.Null(r.SplitScores[1]);
    }

    [Fact]
    public void A_metric_missing_from_the_results_fails_the_trial()
    {
        var t = TrialState.Empty.Apply(new TrialRequested("st", 1, 2, Config, 2, 12, 99, "f1"))
            .Apply(new SplitFinished(0, Ok(0, 0.7, 3)))
            .Apply(new SplitFinished(1, Ok(1, 0.8, 4)));

        var r = t.Result();

        Assert.True(r.Failed);
        Assert.Null(r.Score);
    }

    [Fact]
    public void Loss_metric_scores_the_validation_loss()
    {
        var r = Requested(splits: 2, metric: "loss")
            .Apply(new SplitFinished(0, Ok(0, 0.99, 3, loss: 0.4)))
            .Apply(new SplitFinished(1, Ok(1, 0.98, 5, loss: 0.6)))
            .Result();

        Assert.False(r.Failed);
        Assert.Equal(0.5, r.Score!.Value, 12);
        // SD of {0.4, 0.6} = 0.1414…, SE = 0.1.
        Assert.Equal(0.1, r.StandardError!.Value, 12);
        Assert.Equal(4.0, r.MeanBestEpoch, 12);
    }

    [Fact]
    public void Loss_metric_with_no_validation_loss_fails_the_trial()
    {
        var r = Requested(splits: 2, metric: "loss")
            .Apply(new SplitFinished(0, Ok(0, 0.99, 3, loss: 0.4)))
            .Apply(new SplitFinished(1, Ok(1, 0.98, 5, loss: null)))
            .Result();

        Assert.True(r.Failed);
        Assert.Null(r.Score);
    }

    [Fact]
    public void Pending_lists_the_splits_without_an_outcome()
    {
        var t = Requested();

        var all = t.Pending().ToList();
        Assert.Equal(["st/o1/t2/s0", "st/o1/t2/s1", "st/o1/t2/s2"], all.Select(p => p.TaskId));
        Assert.All(all, p =>
        {
            Assert.Equal("st/o1/t2", p.Owner);
            Assert.False(p.IsRefit);
            Assert.Equal("st", p.StudyId);
            Assert.Equal(1, p.Outer);
            Assert.Equal(2, p.Trial);
            Assert.Equal(Config, p.Hyperparameters);
            Assert.Equal(12, p.MaxEpochs);
            Assert.Equal(99, p.Seed);
        });
        Assert.Equal([0, 1, 2], all.Select(p => p.Inner!.Value));
        Assert.False(t.Done);

        t = t.Apply(new SplitFinished(1, Ok(1, 0.8, 4)));
        Assert.Equal(["st/o1/t2/s0", "st/o1/t2/s2"], t.Pending().Select(p => p.TaskId));
        Assert.False(t.Done);

        // A failed outcome is an outcome too: it is not resubmitted.
        t = t.Apply(new SplitFinished(0, new TaskOutcome("st/o1/t2/s0", null, "boom", 3)));
        Assert.Equal(["st/o1/t2/s2"], t.Pending().Select(p => p.TaskId));

        t = t.Apply(new SplitFinished(2, Ok(2, 0.9, 4)));
        Assert.Empty(t.Pending());
        Assert.True(t.Done);
    }

    [Fact]
    public void A_repeated_split_outcome_does_not_count_twice()
    {
        var t = Requested(splits: 2)
            .Apply(new SplitFinished(0, Ok(0, 0.7, 3)))
            .Apply(new SplitFinished(0, Ok(0, 0.7, 3)));

        Assert.False(t.Done);
        Assert.Equal(["st/o1/t2/s1"], t.Pending().Select(p => p.TaskId));
    }

    [Fact]
    public void Before_the_request_there_is_nothing_to_do()
    {
        Assert.Empty(TrialState.Empty.Pending());
        Assert.False(TrialState.Empty.Done);
        Assert.Throws<InvalidOperationException>(() => TrialState.Empty.Result());
    }

    [Fact]
    public void Decide_submits_the_splits_without_an_outcome_then_reports_the_result()
    {
        var t = Requested().Apply(new SplitFinished(1, Ok(1, 0.8, 4)));
        var submit = Assert.IsType<SubmitSplits>(t.Decide());
        Assert.Equal(["st/o1/t2/s0", "st/o1/t2/s2"], submit.Tasks.Select(p => p.TaskId));

        t = t.Apply(new SplitFinished(0, Ok(0, 0.7, 3))).Apply(new SplitFinished(2, Ok(2, 0.9, 8)));
        var report = Assert.IsType<ReportTrial>(t.Decide());
        Assert.Equal(0.8, report.Result.Score!.Value, 12);
        Assert.Equal([0.7, 0.8, 0.9], report.Result.SplitScores.Select(v => v!.Value));
        Assert.Throws<InvalidOperationException>(() => TrialState.Empty.Decide());
    }

    [Fact]
    public void Accept_takes_the_first_outcome_of_each_own_split_only()
    {
        var t = Requested(splits: 2);
        var first = t.Accept(Ok(1, 0.8, 4));
        Assert.Equal(1, first!.Inner);
        t = t.Apply(first);
        Assert.Null(t.Accept(Ok(1, 0.1, 2)));
        // Another trial's task, and a refit of this fold, are not this trial's.
        Assert.Null(t.Accept(new TaskOutcome("st/o1/t3/s0", null, "boom", 1)));
        Assert.Null(t.Accept(new TaskOutcome("st/o1/refit", null, "boom", 1)));
        Assert.Null(TrialState.Empty.Accept(Ok(0, 0.8, 4)));
    }

    private static FoldResult Fold(int outer) =>
        new(outer, 0, Config, 0.8, 0.01, 4, new Dictionary<string, double?> { ["auroc"] = 0.9 }, [], null);

    [Fact]
    public void A_study_starts_the_folds_that_have_not_reported_then_builds_its_report_once()
    {
        Assert.Throws<InvalidOperationException>(() => StudyState.Empty.Decide());
        Assert.Null(StudyState.Empty.Accept(Fold(0)));

        var s = StudyState.Empty.Apply(new StudyStarted("st", 3));
        Assert.Equal([0, 1, 2], Assert.IsType<StartFolds>(s.Decide()).Outer);
        s = s.Apply(s.Accept(Fold(1))!);
        Assert.Null(s.Accept(Fold(1)));
        Assert.Equal([0, 2], Assert.IsType<StartFolds>(s.Decide()).Outer);

        s = s.Apply(s.Accept(Fold(2))!).Apply(s.Accept(Fold(0))!);
        Assert.IsType<BuildReport>(s.Decide());

        var report = StudyReport.Unbuilt("st", s.Folds.Values.ToList(), ["report: not built (test)"]);
        s = s.Apply(new StudyFinished(false, "test", report));
        Assert.Same(report, Assert.IsType<RepublishReport>(s.Decide()).Report);
    }
}
