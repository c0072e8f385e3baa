using Nachos.Shared.Spec;
using System.Globalization;
using Nachos.Shared.Search;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

public sealed class StudyFoldStateTests
{
    /// <summary>
    /// A fake sampler recording what it was given. By default trial n gets learning_rate = n; <c>Propose</c>
    /// can make the configuration depend on the visible outcomes instead.
    /// </summary>
    private sealed class RecordingSampler(Func<int, IReadOnlyList<TrialOutcome>, double>? propose = null) : ISampler
    {
        public List<(int Trial, List<Hyperparameters> Earlier, List<TrialOutcome> Visible)> Calls { get; } = [];

        public Hyperparameters Suggest(int trialIndex, IReadOnlyList<Hyperparameters> earlier, IReadOnlyList<TrialOutcome> visible)
        {
            Calls.Add((trialIndex, earlier.ToList(), visible.ToList()));
            return Hyperparameters.Empty.With("learning_rate", propose?.Invoke(trialIndex, visible) ?? trialIndex);
        }

        public List<int> VisibleOf(int trial) => Calls.Single(c => c.Trial == trial).Visible.Select(v => v.Index).ToList();
    }

    private static FoldState Start(int trials, int parallelism, string metric = "auroc", double maxFailed = 0.5) =>
        FoldState.Empty.Apply(new FoldStarted("st", 2, trials, parallelism, Splits: 3, MaxEpochs: 20, Seed: 5, metric, metric != "loss", maxFailed));

    private static double Lr(Hyperparameters h) => double.Parse(h.Values["learning_rate"], CultureInfo.InvariantCulture);

    private static TrialResult Ok(int trial, Hyperparameters config, double score, double meanBestEpoch = 4) =>
        new(trial, config, score, 0.01, meanBestEpoch, [score], null);

    private static TrialResult Failed(int trial, Hyperparameters config) =>
        new(trial, config, null, null, 0, [null], $"st/o2/t{trial}/s0: injected failure");

    private static (FoldState State, IReadOnlyList<FoldEvent> Events) Step(FoldState s, ISampler sampler)
    {
        var events = s.Decide(sampler);
        foreach (var e in events) s = s.Apply(e);
        return (s, events);
    }

    private static List<int> StartedTrials(IEnumerable<FoldEvent> events) => events.OfType<TrialStarted>().Select(t => t.Trial).ToList();

    private static FoldState Finish(FoldState s, int trial, double score, double meanBestEpoch = 4) =>
        s.Apply(new TrialFinished(Ok(trial, s.Started[trial], score, meanBestEpoch)));

    [Fact]
    public void Window_of_two_starts_trials_only_when_the_trials_below_n_minus_two_have_finished()
    {
        var sampler = new RecordingSampler();
        var s = Start(trials: 6, parallelism: 2);

        var (s1, e1) = Step(s, sampler);
        Assert.Equal([0, 1], StartedTrials(e1));
        Assert.Equal([0.0, 1.0], e1.OfType<TrialStarted>().Select(t => Lr(t.Config)));
        // Nothing finished: nothing more starts.
        var (s2, e2) = Step(s1, sampler);
        Assert.Empty(e2);

        // Trial 1 finishes: trial 2 needs no finished trial (2 − 2 = 0), so it starts; trial 3 would need trial 0.
        s2 = Finish(s2, 1, 0.5);
        var (s3, e3) = Step(s2, sampler);
        Assert.Equal([2], StartedTrials(e3));
        Assert.Empty(Step(s3, sampler).Events);

        // Trial 2 finishes: one slot is free, but trial 3 still waits for trial 0.
        s3 = Finish(s3, 2, 0.6);
        var (s4, e4) = Step(s3, sampler);
        Assert.Empty(e4);
        Assert.Equal([0], s4.Running);

        // Trial 0 finishes: trials 3 (needs 0) and 4 (needs 0, 1) start, filling both slots.
        s4 = Finish(s4, 0, 0.7);
        var (s5, e5) = Step(s4, sampler);
        Assert.Equal([3, 4], StartedTrials(e5));

        // Trial 4 finishes: trial 5 needs 0, 1, 2, all finished (trial 3 is still running).
        s5 = Finish(s5, 4, 0.4);
        var (s6, e6) = Step(s5, sampler);
        Assert.Equal([5], StartedTrials(e6));

        s6 = Finish(Finish(s6, 5, 0.3), 3, 0.2);
        var (_, e7) = Step(s6, sampler);
        Assert.IsType<RefitStarted>(Assert.Single(e7));

        // The sampler saw exactly the finished trials below n − 2, in index order.
        Assert.Equal([0, 1, 2, 3, 4, 5], sampler.Calls.Select(c => c.Trial));
        Assert.Empty(sampler.VisibleOf(0));
        Assert.Empty(sampler.VisibleOf(1));
        Assert.Empty(sampler.VisibleOf(2));
        Assert.Equal([0], sampler.VisibleOf(3));
        Assert.Equal([0, 1], sampler.VisibleOf(4));
        Assert.Equal([0, 1, 2], sampler.VisibleOf(5));
        // Visible outcomes carry the finished trial's configuration and score.
        var seen = sampler.Calls.Single(c => c.Trial == 5).Visible;
        Assert.Equal([0.7, 0.5, 0.6], seen.Select(v => v.Score!.Value));
        Assert.Equal([0.0, 1.0, 2.0], seen.Select(v => Lr(v.Config)));
        // Earlier: configurations of trials 0..n−1.
        foreach (var (trial, earlier, _) in sampler.Calls)
            Assert.Equal(Enumerable.Range(0, trial).Select(m => (double)m), earlier.Select(Lr));
    }

    [Fact]
    public void Parallelism_one_runs_trials_one_after_another_each_seeing_all_before_it()
    {
        var sampler = new RecordingSampler();
        var s = Start(trials: 3, parallelism: 1);
        for (var n = 0; n < 3; n++)
        {
            var (next, events) = Step(s, sampler);
            Assert.Equal([n], StartedTrials(events));
            s = Finish(next, n, 0.5 + n / 10.0);
        }
        // Trial n may see trials below n − 1.
        Assert.Empty(sampler.VisibleOf(0));
        Assert.Empty(sampler.VisibleOf(1));
        Assert.Equal([0], sampler.VisibleOf(2));
    }

    /// <summary>
    /// Runs a fold to the end, finishing a random running trial after each decision, checking the window rule at every
    /// step. The sampler's proposal depends on the visible scores, and the score on the configuration.
    /// Returns the started configurations by trial index.
    /// </summary>
    private static List<double> RunFold(int trials, int parallelism, Random order, Func<double, double?> score)
    {
        var sampler = new RecordingSampler((n, visible) =>
            n + visible.Sum(v => (v.Index + 1) * (v.Score ?? -1)) / 100.0);
        var s = Start(trials, parallelism, maxFailed: 1.0);
        while (true)
        {
            var before = s;
            var (after, events) = Step(s, sampler);
            foreach (var started in events.OfType<TrialStarted>())
            {
                var n = started.Trial;
                // Started in index order, never above P in flight, only once every trial below n − P finished.
                Assert.True(n < trials);
                Assert.All(Enumerable.Range(0, Math.Max(0, n - parallelism)), m => Assert.True(before.Finished.ContainsKey(m), $"trial {n} started before trial {m} finished"));
                var expected = before.Finished.Keys.Where(m => m < n - parallelism).Order().ToList();
                Assert.Equal(expected, sampler.VisibleOf(n));
                Assert.Equal(Enumerable.Range(0, n).Select(m => Lr(after.Started[m])), sampler.Calls.Single(c => c.Trial == n).Earlier.Select(Lr));
            }
            s = after;
            var running = s.Running.ToList();
            Assert.True(running.Count <= parallelism, $"{running.Count} trials in flight with P = {parallelism}");
            // Greedy: the next trial is held back only by a full window or an unfinished trial below n − P.
            var next = s.Started.Count;
            if (next < trials && running.Count < parallelism)
                Assert.Contains(Enumerable.Range(0, Math.Max(0, next - parallelism)), m => !s.Finished.ContainsKey(m));
            if (events.OfType<RefitStarted>().Any() || events.OfType<FoldFailed>().Any()) break;
            Assert.NotEmpty(running);
            var done = running[order.Next(running.Count)];
            var config = s.Started[done];
            s = s.Apply(new TrialFinished(score(Lr(config)) is { } v ? Ok(done, config, v) : Failed(done, config)));
        }
        Assert.Equal(trials, s.Finished.Count);
        return Enumerable.Range(0, trials).Select(n => Lr(s.Started[n])).ToList();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void Started_configurations_do_not_depend_on_the_order_trials_finish_in(int parallelism)
    {
        // Deterministic score of the configuration, failing for a few.
        static double? Score(double lr) => (int)(lr * 1000) % 7 == 3 ? null : Math.Sin(lr * 13.7) * 0.5 + 0.5;

        var reference = RunFold(9, parallelism, new Random(0), Score);
        for (var seed = 1; seed <= 12; seed++)
            Assert.Equal(reference, RunFold(9, parallelism, new Random(seed), Score));
        // The proposals really depend on what was visible (otherwise the comparison proves nothing).
        if (parallelism < 9 - 1) Assert.Contains(reference.Select((lr, n) => lr - n), d => Math.Abs(d) > 1e-12);
    }

    private static FoldState AllFinished(string metric, params (double? Score, double MeanBestEpoch)[] trials)
    {
        var sampler = new RecordingSampler();
        var (s, events) = Step(Start(trials.Length, trials.Length, metric, maxFailed: 1.0), sampler);
        Assert.Equal(trials.Length, StartedTrials(events).Count);
        // Finish in reverse order, so index order is not arrival order.
        for (var n = trials.Length - 1; n >= 0; n--)
            s = s.Apply(new TrialFinished(trials[n].Score is { } v ? Ok(n, s.Started[n], v, trials[n].MeanBestEpoch) : Failed(n, s.Started[n])));
        return s;
    }

    [Fact]
    public void Best_trial_has_the_highest_score_and_ties_go_to_the_lowest_index()
    {
        var s = AllFinished("auroc", (0.7, 3), (0.9, 6), (0.9, 9), (null, 0), (0.8, 2));

        var refit = Assert.IsType<RefitStarted>(Assert.Single(s.Decide(new RecordingSampler())));

        Assert.Equal(1, refit.Trial);
        Assert.Equal(1.0, Lr(refit.Config));
        Assert.Equal(6, refit.Epochs);
    }

    [Fact]
    public void Loss_is_minimised()
    {
        var s = AllFinished("loss", (0.5, 3), (0.9, 6), (0.3, 7), (0.3, 2), (0.4, 5));

        var refit = Assert.IsType<RefitStarted>(Assert.Single(s.Decide(new RecordingSampler())));

        Assert.Equal(2, refit.Trial);
        Assert.Equal(7, refit.Epochs);
    }

    [Theory]
    [InlineData(4.5, 5)]
    [InlineData(4.0, 4)]
    [InlineData(13.0 / 3, 5)]
    [InlineData(4.01, 5)]
    [InlineData(1.0, 1)]
    [InlineData(0.2, 1)]
    [InlineData(0.0, 1)]
    public void Refit_trains_for_the_ceiling_of_the_mean_best_epoch(double meanBestEpoch, int epochs)
    {
        var s = AllFinished("auroc", (0.6, 9), (0.8, meanBestEpoch));

        var refit = Assert.IsType<RefitStarted>(Assert.Single(s.Decide(new RecordingSampler())));

        Assert.Equal(1, refit.Trial);
        Assert.Equal(epochs, refit.Epochs);
    }

    [Fact]
    public void Refit_epochs_of_a_mean_of_integers_that_is_whole_are_not_rounded_up()
    {
        // Three splits with best epochs 4, 5, 6 → mean 5 (computed as a floating-point average).
        var mean = new[] { 4.0, 5.0, 6.0 }.Average();
        var s = AllFinished("auroc", (0.8, mean));

        Assert.Equal(5, Assert.IsType<RefitStarted>(Assert.Single(s.Decide(new RecordingSampler()))).Epochs);
    }

    private static FoldState WithFailures(int failed, int succeeded, double maxFailed)
    {
        var trials = failed + succeeded;
        var (s, _) = Step(Start(trials, trials, maxFailed: maxFailed), new RecordingSampler());
        for (var n = 0; n < trials; n++)
            s = s.Apply(new TrialFinished(n < failed ? Failed(n, s.Started[n]) : Ok(n, s.Started[n], 0.5 + n / 100.0)));
        return s;
    }

    [Fact]
    public void Half_of_the_trials_may_fail_with_max_failed_trials_one_half()
    {
        var s = WithFailures(failed: 2, succeeded: 2, maxFailed: 0.5);

        var refit = Assert.IsType<RefitStarted>(Assert.Single(s.Decide(new RecordingSampler())));

        Assert.Equal(3, refit.Trial); // the better of the two that succeeded
    }

    [Fact]
    public void More_failures_than_max_failed_trials_fail_the_fold()
    {
        var s = WithFailures(failed: 3, succeeded: 1, maxFailed: 0.5);

        var failed = Assert.IsType<FoldFailed>(Assert.Single(s.Decide(new RecordingSampler())));

        Assert.Contains("3 of 4", failed.Reason);
        Assert.Contains("by trial 2", failed.Reason);
        var done = s.Apply(failed);
        Assert.True(done.Done);
        Assert.Empty(done.Decide(new RecordingSampler()));
        var result = done.Result();
        Assert.Equal(failed.Reason, result.Failure);
        Assert.Null(result.ChosenTrial);
        Assert.Null(result.Config);
        Assert.Empty(result.TestMetrics);
        // Trials 0..2 failed: the verdict falls at trial 2, and the result lists that prefix only.
        Assert.Equal([0, 1, 2], result.Trials.Select(t => t.Trial));
    }

    [Fact]
    public void The_failure_verdict_and_its_trials_do_not_depend_on_which_later_trials_finished_first()
    {
        // Trials 0, 1 and 2 fail (allowance 1 of 4); trial 3 succeeds. Whether trial 3 finished before or
        // after the failures were seen, the verdict falls at trial 1 and lists trials 0..1.
        var sampler = new RecordingSampler();
        var (start, _) = Step(Start(trials: 4, parallelism: 4, maxFailed: 0.25), sampler);
        var early = start.Apply(new TrialFinished(Ok(3, start.Started[3], 0.7)))
            .Apply(new TrialFinished(Failed(2, start.Started[2])))
            .Apply(new TrialFinished(Failed(0, start.Started[0])))
            .Apply(new TrialFinished(Failed(1, start.Started[1])));
        var late = start.Apply(new TrialFinished(Failed(0, start.Started[0])))
            .Apply(new TrialFinished(Failed(1, start.Started[1])));
        var a = Assert.IsType<FoldFailed>(Assert.Single(early.Decide(sampler)));
        var b = Assert.IsType<FoldFailed>(Assert.Single(late.Decide(sampler)));
        Assert.Equal(a.Reason, b.Reason);
        Assert.Equal(early.Apply(a).Result().Trials.Select(t => t.Trial), late.Apply(b).Result().Trials.Select(t => t.Trial));
    }

    [Fact]
    public void The_fold_fails_as_soon_as_too_many_trials_failed_even_with_trials_running()
    {
        var sampler = new RecordingSampler();
        var (s, _) = Step(Start(trials: 4, parallelism: 4, maxFailed: 0.5), sampler);
        s = s.Apply(new TrialFinished(Failed(0, s.Started[0])))
             .Apply(new TrialFinished(Failed(1, s.Started[1])));
        Assert.Empty(s.Decide(sampler)); // 2 of 4: still allowed

        s = s.Apply(new TrialFinished(Failed(2, s.Started[2])));

        Assert.IsType<FoldFailed>(Assert.Single(s.Decide(sampler)));
    }

    [Fact]
    public void All_trials_failed_fails_the_fold_even_when_failures_are_tolerated()
    {
        var s = WithFailures(failed: 4, succeeded: 0, maxFailed: 1.0);

        var failed = Assert.IsType<FoldFailed>(Assert.Single(s.Decide(new RecordingSampler())));

        Assert.Contains("all 4", failed.Reason);
    }

    [Fact]
    public void Successful_refit_finishes_the_fold_with_its_test_metrics()
    {
        var s = AllFinished("auroc", (0.7, 3), (0.9, 4.5), (0.8, 2));
        var refit = Assert.IsType<RefitStarted>(Assert.Single(s.Decide(new RecordingSampler())));
        s = s.Apply(refit);

        // While the refit runs, nothing else is decided.
        Assert.False(s.Done);
        Assert.Empty(s.Decide(new RecordingSampler()));

        var task = s.RefitTask();
        Assert.NotNull(task);
        Assert.Equal("st/o2/refit", task.TaskId);
        Assert.True(task.IsRefit);
        Assert.Equal("st/o2", task.Owner);
        Assert.Equal(5, task.MaxEpochs);
        Assert.Equal(1.0, Lr(task.Hyperparameters));
        Assert.Equal(5, task.Seed);

        var metrics = new Dictionary<string, double?> { ["auroc"] = 0.88, ["accuracy"] = 0.8, ["sensitivity"] = null };
        var outcome = new TaskOutcome("st/o2/refit",
            new TrainingResult("st/o2/refit", 5, 5, null, new Dictionary<string, double?>(), metrics, "h.csv", "p.csv", 3, "cpu0"), null, 1);
        s = s.Apply(new RefitFinished(outcome));

        Assert.True(s.Done);
        Assert.Null(s.Failure);
        Assert.Empty(s.Decide(new RecordingSampler()));
        var r = s.Result();
        Assert.Equal(2, r.Outer);
        Assert.Equal(1, r.ChosenTrial);
        Assert.Equal(1.0, Lr(r.Config!));
        Assert.Equal(0.9, r.InnerScore!.Value, 12);
        Assert.Equal(0.01, r.InnerStandardError!.Value, 12);
        Assert.Equal(5, r.RefitEpochs);
        Assert.Equal(0.88, r.TestMetrics["auroc"]!.Value, 12);
        Assert.Equal(0.8, r.TestMetrics["accuracy"]!.Value, 12);
        Assert.Null(r.TestMetrics["sensitivity"]);
        Assert.Equal([0, 1, 2], r.Trials.Select(t => t.Trial));
        Assert.Null(r.Failure);
    }

    [Fact]
    public void Failed_refit_fails_the_fold()
    {
        var s = AllFinished("auroc", (0.7, 3), (0.9, 4));
        s = s.Apply(Assert.IsType<RefitStarted>(Assert.Single(s.Decide(new RecordingSampler()))));

        s = s.Apply(new RefitFinished(new TaskOutcome("st/o2/refit", null, "node lost", 3)));

        Assert.True(s.Done);
        Assert.NotNull(s.Failure);
        Assert.Contains("node lost", s.Failure);
        var r = s.Result();
        Assert.Equal(s.Failure, r.Failure);
        Assert.Empty(r.TestMetrics);
        Assert.Empty(s.Decide(new RecordingSampler()));
    }

    [Fact]
    public void Deciding_before_the_fold_started_throws()
    {
        Assert.Throws<InvalidOperationException>(() => FoldState.Empty.Decide(new RecordingSampler()));
        Assert.Null(FoldState.Empty.RefitTask());
    }

    [Fact]
    public void A_fold_accepts_reports_of_the_trials_it_started_once_and_only_its_own_refit()
    {
        var sampler = new RecordingSampler();
        var (s, events) = Step(Start(trials: 2, parallelism: 2), sampler);
        Assert.Equal([0, 1], StartedTrials(events));
        Assert.Null(s.Accept(Ok(7, Hyperparameters.Empty, 0.9)));
        var finished = s.Accept(Ok(0, s.Started[0], 0.9));
        Assert.NotNull(finished);
        s = s.Apply(finished);
        Assert.Null(s.Accept(Ok(0, s.Started[0], 0.1)));

        var request = s.TrialRequest(1);
        Assert.Equal((s.Start!.StudyId, s.Start.Outer, 1, s.Started[1], s.Start.Splits), (request.StudyId, request.Outer, request.Trial, request.Config, request.Splits));

        Assert.Null(s.AcceptRefit(new TaskOutcome("st/o2/refit", null, "boom", 1)));
        (s, _) = Step(s.Apply(s.Accept(Ok(1, s.Started[1], 0.5))!), sampler);
        var refit = s.RefitTask()!;
        Assert.Null(s.AcceptRefit(new TaskOutcome("other/o0/refit", null, "boom", 1)));
        Assert.NotNull(s.AcceptRefit(new TaskOutcome(refit.TaskId, null, "boom", 1)));
    }

    [Fact]
    public void A_fold_journalled_before_briefs_takes_its_search_and_retries_from_a_repeated_start()
    {
        var old = Start(trials: 2, parallelism: 2);
        Assert.False(old.Briefed);
        Assert.Throws<InvalidOperationException>(() => old.Sampler());
        var brief = new StudyBrief([3, 3, 3], new SearchSpec(SamplerKind.Random, 2, 2, "auroc", [], 3), 20, 5, 4, 0.5);

        var s = old.Brief(FoldState.Begin("st", brief, 2));

        Assert.True(s.Briefed);
        Assert.Equal(old.Start, s.Start! with { Search = null, MaxRetries = null });
        Assert.Equal(4, s.Apply(new TrialStarted(1, Hyperparameters.Empty)).TrialRequest(1).MaxRetries);
        Assert.NotNull(s.Sampler().Suggest(0, [], []));
        // A journalled brief is never replaced.
        Assert.Same(s.Start, s.Brief(FoldState.Begin("st", brief with { MaxRetries = 9 }, 2)).Start);
    }

    private static TaskOutcome Succeeded(string taskId, IReadOnlyDictionary<string, double?>? test = null) =>
        new(taskId, new TrainingResult(taskId, 5, 5, null, new Dictionary<string, double?>(), test ?? new Dictionary<string, double?>(), "h.csv", "p.csv", 3, "cpu0"), null, 1);

    /// <summary>A fold of a spec with (or without) <c>robustness:</c> whose refit has started.</summary>
    private static FoldState Refitting(bool stress)
    {
        var s = AllFinished("auroc", (0.7, 3), (0.9, 4.5));
        s = s with { Start = s.Start! with { Stress = stress ? true : null } };
        return s.Apply(Assert.IsType<RefitStarted>(Assert.Single(s.Decide(new RecordingSampler()))));
    }

    [Fact]
    public void With_robustness_a_fold_whose_refit_succeeded_waits_for_its_stress_task_and_is_done_only_when_it_ends()
    {
        var s = Refitting(stress: true);
        Assert.Null(s.StressTask());

        s = s.Apply(s.Accept(Succeeded("st/o2/refit", new Dictionary<string, double?> { ["auroc"] = 0.88 }))!);

        Assert.False(s.Done);
        Assert.Empty(s.Decide(new RecordingSampler()));
        var stress = s.StressTask()!;
        Assert.Equal("st/o2/stress", stress.TaskId);
        Assert.True(stress.IsStress());
        Assert.False(stress.IsRefit);
        Assert.True(stress.OwnedByFold());
        Assert.Equal("st/o2", stress.Owner);
        Assert.Equal(TaskAddress.Stress("st", 2), stress.Address());
        // It names the refit it scores: the chosen trial, its configuration, epochs and seed.
        Assert.Equal(s.RefitTask(), stress.RefitOf());
        // Another task's outcome, or the refit's again, is not the stress test's.
        Assert.Null(s.Accept(Succeeded("st/o2/refit")));
        Assert.Null(s.Accept(Succeeded("st/o1/stress")));

        s = s.Apply(Assert.IsType<StressFinished>(s.Accept(new TaskOutcome(stress.TaskId, StressResult(stress.TaskId), null, 1))));

        Assert.True(s.Done);
        Assert.Null(s.StressTask());
        Assert.Null(s.Accept(new TaskOutcome(stress.TaskId, StressResult(stress.TaskId), null, 1)));
        var r = s.Result();
        Assert.Null(r.Failure);
        Assert.Null(r.StressFailure);
        Assert.Equal(0.88, r.TestMetrics["auroc"]!.Value, 12);
    }

    private static TrainingResult StressResult(string taskId) => Robustness.StressFold.Result(taskId, 1, "cpu0");

    [Fact]
    public void Without_robustness_the_refit_ends_the_fold_and_no_stress_task_is_queued()
    {
        var s = Refitting(stress: false);
        s = s.Apply(s.Accept(Succeeded("st/o2/refit"))!);

        Assert.True(s.Done);
        Assert.Null(s.StressTask());
        Assert.Null(s.Accept(Succeeded("st/o2/stress")));
    }

    [Fact]
    public void A_failed_refit_fails_the_fold_without_a_stress_test()
    {
        var s = Refitting(stress: true);
        s = s.Apply(s.Accept(new TaskOutcome("st/o2/refit", null, "out of memory", 3, FailureKind.OutOfMemory))!);

        Assert.True(s.Done);
        Assert.Contains("out_of_memory", s.Failure);
        Assert.Null(s.StressTask());
    }

    [Theory]
    [InlineData(FailureKind.DataError, "data_error")]
    [InlineData(FailureKind.SpecError, "spec_error")]
    [InlineData(FailureKind.Crashed, "crashed")]
    [InlineData(FailureKind.Timeout, "timeout")]
    public void A_failed_stress_test_of_any_kind_ends_the_fold_with_its_test_metrics_and_names_the_failure(FailureKind kind, string name)
    {
        var s = Refitting(stress: true);
        s = s.Apply(s.Accept(Succeeded("st/o2/refit", new Dictionary<string, double?> { ["auroc"] = 0.8 }))!);

        s = s.Apply(s.Accept(new TaskOutcome("st/o2/stress", null, "model.pt: missing", 1, kind))!);

        Assert.True(s.Done);
        Assert.Null(s.Failure);
        var r = s.Result();
        Assert.Null(r.Failure);
        Assert.Equal(0.8, r.TestMetrics["auroc"]!.Value, 12);
        Assert.Equal($"st/o2/stress: {name}: model.pt: missing", r.StressFailure);
    }

    [Fact]
    public void The_outer_folds_of_a_brief_with_robustness_stress_test_and_the_deploy_fold_does_not()
    {
        var brief = new StudyBrief([3, 3], new SearchSpec(SamplerKind.Random, 2, 2, "auroc", [], 3), 20, 5, 4, 0.5, DeploySplits: 3, Stress: true);

        Assert.True(FoldState.Begin("st", brief, 1).Stress);
        Assert.Null(FoldState.Begin("st", brief, 2).Stress);
        Assert.Null(FoldState.Begin("st", brief with { Stress = false }, 0).Stress);
    }
}
