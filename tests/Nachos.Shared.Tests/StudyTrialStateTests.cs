using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

public sealed class StudyTrialStateTests
{
    private static readonly Hyperparameters Config = Hyperparameters.Empty.With("learning_rate", 0.003).With("optimizer", "adam");

    private static TrialState Requested(int splits = 3, string metric = "auroc") =>
        TrialState.Empty.Apply(new TrialRequested("st", 1, 2, Config, splits, MaxEpochs: 12, Seed: 99, metric, MaxRetries: 2));

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
        Assert.Equal(2, submit.MaxRetries);

        t = t.Apply(new SplitFinished(0, Ok(0, 0.7, 3))).Apply(new SplitFinished(2, Ok(2, 0.9, 8)));
        var report = Assert.IsType<ReportTrial>(t.Decide());
        Assert.Equal(0.8, report.Result.Score!.Value, 12);
        Assert.Equal([0.7, 0.8, 0.9], report.Result.SplitScores.Select(v => v!.Value));
        Assert.Throws<InvalidOperationException>(() => TrialState.Empty.Decide());
    }

    [Fact]
    public void A_trial_journalled_before_briefs_submits_nothing_until_a_repeated_request_brings_its_retries()
    {
        var old = new TrialRequested("st", 1, 2, Config, 2, 12, 99, "auroc");
        var t = TrialState.Empty.Apply(old).Apply(new SplitFinished(1, Ok(1, 0.8, 4)));
        Assert.IsType<AwaitTrialBrief>(t.Decide());

        var briefed = t.Brief(old with { MaxRetries = 3 });
        var submit = Assert.IsType<SubmitSplits>(briefed.Decide());
        Assert.Equal(["st/o1/t2/s0"], submit.Tasks.Select(p => p.TaskId));
        Assert.Equal(3, submit.MaxRetries);
        // A journalled request keeps its own retries; a finished trial still reports without them.
        Assert.Equal(2, Requested().Brief(old with { MaxRetries = 5 }).Request!.MaxRetries);
        Assert.IsType<ReportTrial>(t.Apply(new SplitFinished(0, Ok(0, 0.7, 3))).Decide());
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

    private static readonly StudyBrief Brief = new([2, 3, 2], new SearchSpec(SamplerKind.Random, 4, 2, "auroc", [], 3), 12, 7, 1, 0.25);

    [Fact]
    public void A_study_journalled_before_briefs_waits_for_a_start_that_brings_one()
    {
        var old = StudyState.Empty.Apply(new StudyStarted("st", 3));
        Assert.IsType<AwaitStudyBrief>(old.Decide());
        Assert.Equal([0, 1, 2], Assert.IsType<StartFolds>(old.Brief(Brief).Decide()).Folds.Select(f => f.Outer));
        var journalled = StudyState.Empty.Apply(new StudyStarted("st", 3, Brief));
        Assert.Same(Brief, journalled.Brief(Brief with { Seed = 8 }).Start!.Brief);
    }

    [Fact]
    public void A_study_starts_the_folds_that_have_not_reported_then_builds_its_report_once()
    {
        Assert.Throws<InvalidOperationException>(() => StudyState.Empty.Decide());
        Assert.Null(StudyState.Empty.Accept(Fold(0)));

        var s = StudyState.Empty.Apply(new StudyStarted("st", 3, Brief));
        var starts = Assert.IsType<StartFolds>(s.Decide()).Folds;
        Assert.Equal([0, 1, 2], starts.Select(f => f.Outer));
        Assert.Equal(FoldState.Begin("st", Brief, 1), starts[1]);
        Assert.Equal((4, 2, 3, 12, 7, "auroc", true, 0.25, 1), (starts[1].Trials, starts[1].Parallelism, starts[1].Splits, starts[1].MaxEpochs,
            starts[1].Seed, starts[1].Metric, starts[1].Maximise, starts[1].MaxFailedTrials, starts[1].MaxRetries));
        Assert.Same(Brief.Search, starts[1].Search);
        s = s.Apply(s.Accept(Fold(1))!);
        Assert.Null(s.Accept(Fold(1)));
        Assert.Equal([0, 2], Assert.IsType<StartFolds>(s.Decide()).Folds.Select(f => f.Outer));

        s = s.Apply(s.Accept(Fold(2))!).Apply(s.Accept(Fold(0))!);
        Assert.IsType<BuildReport>(s.Decide());

        var report = StudyReport.Unbuilt("st", s.Folds.Values.ToList(), ["report: not built (test)"]);
        s = s.Apply(new StudyFinished(false, "test", report));
        Assert.Same(report, Assert.IsType<RepublishReport>(s.Decide()).Report);
    }
}
