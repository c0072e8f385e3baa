using System.Globalization;
using System.Text.Json;
using Nachos.Shared.Search;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

public sealed class SearchSchedulerTests
{
    private static SchedulerSpec Asha(int grace = 1, int eta = 3) => new(SchedulerKind.Asha, grace, eta, 1, 3, 1);

    [Fact]
    public void Asha_rungs_grow_by_the_reduction_factor_below_max_epochs_and_hyperband_brackets_start_later()
    {
        Assert.Equal([1, 3, 9], new RungSchedule(Asha(), 20, true, "auroc").Rungs(7));
        Assert.Equal([2, 6, 18], new RungSchedule(Asha(2), 20, true, "auroc").Rungs(0));
        Assert.Equal([2, 6], new RungSchedule(Asha(2), 18, true, "auroc").Rungs(0)); // a rung at max epochs is the end, not a rung
        var hyperband = new RungSchedule(new SchedulerSpec(SchedulerKind.Hyperband, 1, 2, 3, 3, 1), 10, true, "auroc");
        Assert.Equal([0, 1, 2, 0], new[] { 0, 1, 2, 3 }.Select(hyperband.Bracket));
        Assert.Equal([1, 2, 4, 8], hyperband.Rungs(0));
        Assert.Equal([2, 4, 8], hyperband.Rungs(1));
        Assert.Equal([4, 8], hyperband.Rungs(5));
        Assert.True(hyperband.IsPeer(3, 0));
        Assert.False(hyperband.IsPeer(3, 1));
        Assert.False(hyperband.IsPeer(3, 3));
        var median = new RungSchedule(new SchedulerSpec(SchedulerKind.Median, 2, 3, 1, 3, 3), 12, true, "auroc");
        Assert.Equal([2, 5, 8, 11], median.Rungs(4));
    }

    [Fact]
    public void Asha_promotes_the_top_ceiling_of_k_over_eta_of_a_trial_and_its_peers_ties_to_the_lower_index()
    {
        var s = new RungSchedule(Asha(), 20, maximise: true, "auroc");
        Assert.True(s.Promote(0, 0.6, [])); // alone: top 1 of 1
        Assert.False(s.Promote(1, 0.5, [(0, 0.6)])); // top 1 of 2
        Assert.True(s.Promote(1, 0.7, [(0, 0.6)]));
        Assert.False(s.Promote(1, 0.6, [(0, 0.6)])); // a tie goes to the lower index
        Assert.True(s.Promote(3, 0.65, [(0, 0.6), (1, 0.7), (2, 0.5)])); // top 2 of 4
        Assert.False(s.Promote(3, 0.55, [(0, 0.6), (1, 0.7), (2, 0.5)]));
        Assert.False(s.Promote(2, null, [(0, 0.6), (1, 0.7)])); // undefined never goes on
        var loss = new RungSchedule(Asha(), 20, maximise: false, "auroc");
        Assert.True(loss.Promote(1, 0.2, [(0, 0.3)]));
        Assert.False(loss.Promote(1, 0.4, [(0, 0.3)]));
    }

    [Fact]
    public void Median_stopping_waits_for_min_trials_then_stops_a_trial_worse_than_the_peers_median()
    {
        var s = new RungSchedule(new SchedulerSpec(SchedulerKind.Median, 1, 3, 1, MinTrials: 3, Interval: 1), 10, maximise: true, "auroc");
        Assert.True(s.Promote(2, 0.1, [(0, 0.9), (1, 0.8)])); // only 2 peers
        Assert.False(s.Promote(3, 0.7, [(0, 0.9), (1, 0.8), (2, 0.6)])); // median 0.8
        Assert.True(s.Promote(3, 0.8, [(0, 0.9), (1, 0.8), (2, 0.6)]));
        Assert.True(s.Promote(4, 0.75, [(0, 0.9), (1, 0.8), (2, 0.6), (3, 0.7)])); // median (0.7 + 0.8) / 2
        Assert.False(s.Promote(4, 0.74, [(0, 0.9), (1, 0.8), (2, 0.6), (3, 0.7)]));
    }

    private static RungScore R(int trial, params double?[] splits) =>
        new(trial, splits.All(x => x is not null) ? splits.Average(x => x!.Value) : null, splits);

    [Fact]
    public void The_wilcoxon_pruner_stops_a_trial_worse_than_the_best_peer_split_by_split_at_p_below_the_threshold()
    {
        var s = new RungSchedule(new SchedulerSpec(SchedulerKind.Wilcoxon, 1, 3, 1, 3, 1, PThreshold: 0.1), 10, maximise: true, "auroc");
        var peers = new[] { R(0, 0.70, 0.72, 0.69, 0.71, 0.73), R(1, 0.5, 0.5, 0.5, 0.5, 0.5) };
        // Worse on all 5 splits than the best peer (trial 0), no tied |d|: scipy.stats.wilcoxon(..., alternative='less') p = 0.03125.
        Assert.False(s.Promote(R(2, 0.60, 0.63, 0.58, 0.615, 0.59), peers));
        // The same on 3 splits: p = 0.125, not below 0.1.
        Assert.True(s.Promote(R(2, 0.60, 0.63, 0.58), [R(0, 0.70, 0.72, 0.69)]));
        // Mixed, 6 splits: p = 0.078125 (SciPy): stopped at 0.1, kept at 0.05.
        var mixed = R(3, 0.71, 0.6, 0.702, 0.65, 0.5, 0.6);
        var best = R(0, 0.7, 0.7, 0.69, 0.71, 0.72, 0.69);
        Assert.False(s.Promote(mixed, [best]));
        Assert.True(new RungSchedule(new SchedulerSpec(SchedulerKind.Wilcoxon, 1, 3, 1, 3, 1, PThreshold: 0.05), 10, true, "auroc").Promote(mixed, [best]));
        // Minimised (loss): worse is higher; 4 splits all higher, p = 0.0625 (alternative='greater').
        var loss = new RungSchedule(new SchedulerSpec(SchedulerKind.Wilcoxon, 1, 3, 1, 3, 1, PThreshold: 0.1), 10, maximise: false, "auroc");
        Assert.False(loss.Promote(R(1, 0.2, 0.25, 0.22, 0.3), [R(0, 0.1, 0.12, 0.13, 0.14)]));
        // No peer, or equal to the best: goes on.
        Assert.True(s.Promote(R(0, 0.1, 0.1, 0.1, 0.1), []));
        Assert.True(s.Promote(R(4, 0.7, 0.7), [R(0, 0.7, 0.7)]));
    }

    // A slow learner, behind at epoch 6, and a fast one that has levelled off.
    private static readonly double?[] Slow = [0.55, 0.62, 0.66, 0.69, 0.71, 0.725];
    private static readonly double?[] Fast = [0.74, 0.75, 0.755, 0.757, 0.758, 0.7585];

    [Fact]
    public void The_forecast_is_the_inverse_power_law_fitted_to_the_curve_at_max_epochs_as_scipy_fits_it()
    {
        var s = new RungSchedule(Asha(3) with { Extrapolate = true }, 18, true, "auroc");
        // scipy.optimize.curve_fit(lambda n, a, b, c: a - b * n**-c, n = 1..6, bounds a in [0, 1], c > 0), evaluated at 18:
        // the slow curve's level sits on the bound a = 1 (b 0.453373, c 0.272966); the fast one's is free (a 0.764657).
        Assert.Equal(0.7940279085744495, s.Forecast(Slow)!.Value, 4);
        Assert.Equal(0.7622971041083619, s.Forecast(Fast)!.Value, 4);
        // Undefined epochs are left out; fewer than 3 defined epochs forecast nothing.
        Assert.Equal(s.Forecast(Slow)!.Value, s.Forecast([.. Slow, null])!.Value, 12);
        Assert.Null(s.Forecast([0.6, null, 0.7]));
        Assert.Null(s.Forecast(null));
        // A distance is not bounded above by 1: a falling hd95 curve levels off at its own level.
        var distance = new RungSchedule(Asha(3) with { Extrapolate = true }, 18, false, "hd95").Forecast([9.0, 6.0, 5.0, 4.5, 4.2, 4.0])!.Value;
        Assert.InRange(distance, 2.5, 4.0);
    }

    [Fact]
    public void Extrapolating_promotes_the_slow_learner_the_score_at_the_rung_would_stop()
    {
        RungScore At(int trial, double?[] curve) => new(trial, curve[^1], [curve[^1], curve[^1]], curve);
        var plain = new RungSchedule(Asha(3), 18, true, "auroc");
        var extrapolated = new RungSchedule(Asha(3) with { Extrapolate = true }, 18, true, "auroc");
        Assert.False(plain.Promote(At(1, Slow), [At(0, Fast)]));
        Assert.True(extrapolated.Promote(At(1, Slow), [At(0, Fast)]));
        Assert.False(extrapolated.Promote(At(1, Fast), [At(0, Slow)]));
        // Without a curve (results written before curves were reported) the score at the rung ranks.
        Assert.False(extrapolated.Promote(At(1, Slow) with { Curve = null }, [At(0, Fast) with { Curve = null }]));
        // Median stopping ranks by the forecast too.
        var median = new RungSchedule(new SchedulerSpec(SchedulerKind.Median, 3, 3, 1, 1, 1, Extrapolate: true), 18, true, "auroc");
        Assert.True(median.Promote(At(1, Slow), [At(0, Fast)]));
    }

    // ---- The fold's rule, driven as the entities drive it ----

    private static readonly SearchSpec Search = new(SamplerKind.Tpe, 14, 3, "auroc",
        [SearchTestKit.Numeric("learning_rate", ParamKind.LogUniform, 1e-5, 1e-1)], 3, Asha(grace: 2));

    private static FoldState Start(SearchSpec search, int seed = 3) => FoldState.Empty.Apply(
        new FoldStarted("st", 0, search.Trials, search.Parallelism, Splits: 2, MaxEpochs: 20, Seed: seed, "auroc", true, 0.9, search, MaxRetries: 1));

    /// <summary>A trial's mean score at an epoch budget: better learning rates score higher, and longer training helps.</summary>
    private static TrialResult Run(TrialRequested r)
    {
        var lr = Math.Log10(SearchTestKit.Number(r.Config, "learning_rate"));
        return Result(r, epoch => 0.5 + (0.45 * Math.Exp(-Math.Pow(lr + 2.5, 2))) * Math.Sqrt(epoch / 20.0) + 0.001 * (r.Trial % 7));
    }

    /// <summary>A trial's result at its budget from its learning curve <paramref name="at"/> (per epoch); a rung's carries the curve so far.</summary>
    private static TrialResult Result(TrialRequested r, Func<int, double> at)
    {
        var budget = r.Budget() ?? r.MaxEpochs;
        var score = at(budget);
        return new TrialResult(r.Trial, r.Config, score, 0.01, Math.Min(budget, 5), [score, score], null, r.Budget(),
            r.Budget() is null ? null : Enumerable.Range(1, budget).Select(e => (double?)at(e)).ToList());
    }

    /// <summary>
    /// As <see cref="Run"/>, but every third trial learns slowly and ends better: metric(e) is the inverse power law from 0.45 at
    /// epoch 1 to its level at epoch 20, with exponent c = 0.5 (slow) or 2 (fast), so the ranking at an early rung is not the final one.
    /// </summary>
    private static TrialResult RunAtSpeed(TrialRequested r)
    {
        var lr = Math.Log10(SearchTestKit.Number(r.Config, "learning_rate"));
        var slow = r.Trial % 3 == 0;
        var level = 0.55 + 0.25 * Math.Exp(-Math.Pow(lr + 3, 2) / 4) + (slow ? 0.05 : 0) + 0.001 * (r.Trial % 7);
        var c = slow ? 0.5 : 2;
        var tail = Math.Pow(20, -c);
        return Result(r, epoch => level + (level - 0.45) * (tail - Math.Pow(epoch, -c)) / (1 - tail));
    }

    /// <summary>Runs a fold to its refit, handing trials their results in an order drawn from <paramref name="arrivals"/>.</summary>
    private static (FoldState Fold, int Runs) Drive(SearchSpec search, Random arrivals, Func<TrialRequested, TrialResult>? run = null)
    {
        run ??= Run;
        var fold = Start(search);
        var sampler = fold.Sampler();
        var runs = 0;
        while (fold.Refit is null && !fold.Done)
        {
            // As the fold entity does: one decision after each result, none without one.
            foreach (var e in fold.Decide(sampler)) fold = fold.Apply(e);
            if (fold.Refit is not null || fold.Done) break;
            var ready = fold.Running.Where(n => !fold.RungResults.ContainsKey((n, fold.RungOf(n)))).ToList();
            Assert.True(ready.Count > 0, $"the fold stalls: no trial is training and no refit after {runs} results");
            var n = ready[arrivals.Next(ready.Count)];
            var reported = fold.Accept(run(fold.TrialRequest(n)));
            Assert.NotNull(reported);
            fold = fold.Apply(reported);
            runs++;
        }
        return (fold, runs);
    }

    private static string Json(FoldState f) => JsonSerializer.Serialize(new { f.Refit, Trials = f.Finished.Values.OrderBy(t => t.Trial) });

    [Fact]
    public void The_same_spec_and_seed_give_the_same_stops_and_choice_whatever_order_results_arrive_in()
    {
        var (first, runs) = Drive(Search, new Random(1));
        var stopped = first.Finished.Values.Where(t => t.Stopped).ToList();
        Assert.InRange(stopped.Count, 6, 13);
        Assert.True(runs < 14 * 4, $"{runs} runs"); // fewer than every trial at every rung and the end
        Assert.NotNull(first.Refit);
        Assert.DoesNotContain(stopped, t => t.Trial == first.Refit!.Trial);
        for (var seed = 2; seed < 40; seed++)
            Assert.Equal(Json(first), Json(Drive(Search, new Random(seed)).Fold));
    }

    [Fact]
    public void With_a_sampler_blind_to_results_the_stops_do_not_depend_on_parallelism_either()
    {
        var random = Search with { Sampler = SamplerKind.Random };
        var one = Json(Drive(random with { Parallelism = 1 }, new Random(5)).Fold);
        foreach (var p in new[] { 2, 4, 14 })
            Assert.Equal(one, Json(Drive(random with { Parallelism = p }, new Random(p)).Fold));
    }

    [Fact]
    public void A_trial_is_judged_only_when_its_peers_below_have_reached_the_rung_or_ended()
    {
        var fold = Start(Search with { Sampler = SamplerKind.Random, Parallelism = 3 });
        var sampler = fold.Sampler();
        foreach (var e in fold.Decide(sampler)) fold = fold.Apply(e);
        Assert.Equal([0, 1, 2], fold.Running.Order());
        Assert.Equal(2, fold.TrialRequest(1).Budget());

        // Trial 1 reaches rung 0 first: it waits for trial 0.
        fold = fold.Apply(fold.Accept(Run(fold.TrialRequest(1)))!);
        Assert.Empty(fold.Decide(sampler));
        // A repeated report of the same rung is dropped.
        Assert.Null(fold.Accept(Run(fold.TrialRequest(1))));

        fold = fold.Apply(fold.Accept(Run(fold.TrialRequest(0)))!);
        var verdicts = fold.Decide(sampler);
        // Trial 0 alone goes on; trial 1 is judged against it in the same step.
        var promoted = Assert.IsType<TrialPromoted>(verdicts[0]);
        Assert.Equal((0, 1), (promoted.Trial, promoted.Rung));
        var better = Run(fold.TrialRequest(1)).Score > Run(fold.TrialRequest(0)).Score;
        if (better) Assert.Equal(new TrialPromoted(1, 1), verdicts[1]);
        else Assert.True(Assert.IsType<TrialFinished>(verdicts[1]).Result.Stopped);
        foreach (var e in verdicts) fold = fold.Apply(e);
        Assert.Equal(1, fold.RungOf(0));
        Assert.Equal(6, fold.TrialRequest(0).Budget());
        // A report of the rung the trial has left is dropped.
        Assert.Null(fold.Accept(Run(fold.TrialRequest(0) with { Rung = 0 })));
    }

    [Fact]
    public void In_cohorts_the_same_spec_and_seed_give_the_same_stops_and_choice_for_any_arrival_order_and_parallelism()
    {
        var cohorts = Search with { Sampler = SamplerKind.Random, Parallelism = 3, Scheduler = Asha(grace: 2) with { Cohort = 3 } };
        var first = Json(Drive(cohorts, new Random(1)).Fold);
        for (var seed = 2; seed < 30; seed++)
            Assert.Equal(first, Json(Drive(cohorts with { Parallelism = 3 + seed % 12 }, new Random(seed)).Fold));
        var hyperband = cohorts with { Parallelism = 6, Scheduler = new SchedulerSpec(SchedulerKind.Hyperband, 1, 3, 2, 3, 1, Cohort: 3) };
        var once = Json(Drive(hyperband, new Random(1)).Fold);
        for (var seed = 2; seed < 20; seed++)
            Assert.Equal(once, Json(Drive(hyperband, new Random(seed)).Fold));
        // The cohorts change the verdicts: the same search in trial order (cohorts of one) stops other trials.
        Assert.NotEqual(first, Json(Drive(cohorts with { Scheduler = cohorts.Scheduler! with { Cohort = 1 } }, new Random(1)).Fold));
    }

    [Fact]
    public void Extrapolated_the_same_spec_and_seed_give_the_same_stops_and_choice_for_any_arrival_order()
    {
        var extrapolated = Search with { Sampler = SamplerKind.Random, Parallelism = 14, Scheduler = Asha(grace: 3) with { Cohort = 14, Extrapolate = true } };
        var (fold, _) = Drive(extrapolated, new Random(1), RunAtSpeed);
        var first = Json(fold);
        for (var seed = 2; seed < 20; seed++)
            Assert.Equal(first, Json(Drive(extrapolated, new Random(seed), RunAtSpeed).Fold));
        // The forecasts, not the scores at the rungs, rank: without extrapolating, halving stops the trial that ends best
        // (a slow one) at the first rung and chooses another; extrapolated, it runs to the end and is chosen.
        var (plain, _) = Drive(extrapolated with { Scheduler = extrapolated.Scheduler! with { Extrapolate = false } }, new Random(1), RunAtSpeed);
        var finals = Enumerable.Range(0, 14).ToDictionary(n => n, n => RunAtSpeed(fold.TrialRequest(n) with { Rungs = null }).Score!.Value);
        var best = finals.MaxBy(kv => kv.Value).Key;
        Assert.Equal(3, plain.Finished[best].RungEpoch);
        Assert.NotEqual(best, plain.Refit!.Trial);
        Assert.Equal(best, fold.Refit!.Trial);
    }

    [Fact]
    public void One_cohort_of_the_whole_search_is_synchronous_successive_halving_and_the_first_trial_has_no_head_start()
    {
        var search = Search with { Sampler = SamplerKind.Random, Parallelism = 14, Scheduler = Asha(grace: 2) with { Cohort = 14 } };
        var fold = Start(search, seed: 4);
        var sampler = fold.Sampler();
        foreach (var e in fold.Decide(sampler)) fold = fold.Apply(e);
        Assert.Equal(14, fold.Running.Count());

        var survivors = Enumerable.Range(0, 14).ToList();
        foreach (var (epoch, keep) in new[] { (2, 5), (6, 2), (18, 1) })
        {
            // Every survivor but the last reports: nobody is judged, however good, until the last has reached the rung.
            foreach (var n in survivors.SkipLast(1))
            {
                Assert.Equal(epoch, fold.TrialRequest(n).Budget());
                fold = fold.Apply(fold.Accept(Run(fold.TrialRequest(n)))!);
            }
            Assert.Empty(fold.Decide(sampler));
            fold = fold.Apply(fold.Accept(Run(fold.TrialRequest(survivors[^1])))!);
            var verdicts = fold.Decide(sampler);
            Assert.Equal(survivors.Count, verdicts.Count);
            // The top ceil(k / 3) of the k trials at the rung go on, ties to the lower index; the others stop there.
            var expected = survivors.OrderByDescending(n => fold.RungResults[(n, fold.RungOf(n))].Score).ThenBy(n => n).Take(keep).Order().ToList();
            Assert.Equal(expected, verdicts.OfType<TrialPromoted>().Select(p => p.Trial).Order());
            Assert.All(verdicts.OfType<TrialFinished>(), f => Assert.Equal(epoch, f.Result.RungEpoch));
            // Trial 0, not among the best at the first rung here, stops there: under the trial-order rule it would have gone on for being first.
            if (epoch == 2) Assert.DoesNotContain(0, expected);
            foreach (var e in verdicts) fold = fold.Apply(e);
            survivors = expected;
        }
        // The last survivor runs to the end.
        Assert.Null(fold.TrialRequest(Assert.Single(survivors)).Budget());
    }

    [Fact]
    public void A_stopped_trial_is_never_chosen_even_with_the_best_score()
    {
        var fold = Start(Search with { Trials = 2, Sampler = SamplerKind.Random });
        var started = fold.Apply(new TrialStarted(0, Hyperparameters.Empty.With("learning_rate", 0.003)))
            .Apply(new TrialStarted(1, Hyperparameters.Empty.With("learning_rate", 0.001)));
        var done = started
            .Apply(new TrialFinished(new TrialResult(0, started.Started[0], 0.7, 0.01, 4, [0.7], null)))
            .Apply(new TrialFinished(new TrialResult(1, started.Started[1], 0.99, 0.01, 2, [0.99], null, RungEpoch: 2)));
        var refit = Assert.IsType<RefitStarted>(Assert.Single(done.Decide(done.Sampler())));
        Assert.Equal(0, refit.Trial);
    }

    [Fact]
    public void A_trial_goes_through_its_rungs_under_budgeted_task_ids_in_one_folder_and_reports_the_rung_it_reached()
    {
        var config = Hyperparameters.Empty.With("learning_rate", 0.01);
        var request = new TrialRequested("st", 1, 4, config, 2, 20, 7, "auroc", 1, Rungs: [2, 6]);
        var trial = TrialState.Empty.Apply(request);
        var tasks = ((SubmitSplits)trial.Decide()).Tasks;
        Assert.Equal(["st/o1/t4/s0/e2", "st/o1/t4/s1/e2"], tasks.Select(t => t.TaskId));
        Assert.All(tasks, t => Assert.Equal(2, t.Budget()));
        Assert.Equal(tasks[0].Address().Training.Folder, tasks[0].Address().Folder);

        TaskOutcome Ok(TaskSpec t, double auroc) => new(t.TaskId, new TrainingResult(t.TaskId, 2, 2, 0.4,
            new Dictionary<string, double?> { ["auroc"] = auroc }, new Dictionary<string, double?>(), "h", "p", 1, "cpu",
            new Dictionary<string, IReadOnlyList<double?>> { ["auroc"] = [auroc - 0.1 * t.Inner, auroc], ["loss"] = [0.5, 0.4] }), null, 1);
        foreach (var t in tasks) trial = trial.Apply(trial.Accept(Ok(t, 0.6))!);
        var rung = ((ReportTrial)trial.Decide()).Result;
        Assert.Equal(2, rung.RungEpoch);
        Assert.Equal(0.6, rung.Score!.Value, 12);
        // The rung's curve of the search metric: the splits' mean at each epoch.
        Assert.Equal([0.55, 0.6], rung.Curve!.Select(v => Math.Round(v!.Value, 12)));

        // Promoted past the last rung: the plain ids, whose outcomes alone now count.
        trial = trial.Brief(request with { Rung = 2 });
        var final = ((SubmitSplits)trial.Decide()).Tasks;
        Assert.Equal(["st/o1/t4/s0", "st/o1/t4/s1"], final.Select(t => t.TaskId));
        Assert.Null(trial.Accept(Ok(tasks[0], 0.6)));
        foreach (var t in final) trial = trial.Apply(trial.Accept(Ok(t, 0.8))!);
        var result = ((ReportTrial)trial.Decide()).Result;
        Assert.Null(result.RungEpoch);
        Assert.False(result.Stopped);
        Assert.Null(result.Curve); // only a rung's result carries one, to be judged by
        // An older rung number in a late repeat does not move the trial back.
        Assert.Equal(2, trial.Brief(request with { Rung = 1 }).Request!.Rung);
    }

    [Fact]
    public void Budgeted_task_ids_round_trip_share_the_full_trainings_folder_and_refuse_a_zero_budget()
    {
        var a = TaskAddress.Parse("st/o1/t4/s0/e6");
        Assert.Equal(6, a.Budget);
        Assert.Equal("st/o1/t4/s0/e6", a.ToString());
        Assert.Equal("o1/t4/s0", a.Folder);
        Assert.Equal("st/o1/t4/s0", a.Training.ToString());
        Assert.Equal("st/o1/t4", a.OwnerId);
        Assert.True(a.CompareTo(TaskAddress.Parse("st/o1/t4/s0")) < 0);
        Assert.True(a.CompareTo(TaskAddress.Parse("st/o1/t4/s0/e2")) > 0);
        Assert.False(TaskAddress.TryParse("st/o1/t4/s0/e0", out _, out var zero));
        Assert.Contains("epoch budget", zero);
        Assert.False(TaskAddress.TryParse("st/o1/t4/s0/x2", out _, out var letter));
        Assert.Contains("'x2'", letter);
        Assert.False(TaskAddress.TryParse("st/o1/refit/e2", out _));
    }

    [Fact]
    public void The_simulated_trainer_continues_a_rung_and_its_full_run_equals_an_unscheduled_one()
    {
        using var dir = new Nachos.Tests.TempDir();
        var manifest = SyntheticManifest.ByPatient(new Random(3), 20, 2, task: TaskKind.Binary);
        var ids = manifest.Samples.Select(s => s.Id).ToList();
        var config = Hyperparameters.Empty.With("learning_rate", 0.003);
        TrainingTask Task(string id, string folder, int? budget) =>
            new(id, ids[..(ids.Count * 3 / 4)], ids[(ids.Count * 3 / 4)..], [], config, 20, 5, Path.Combine(dir.Path, folder), budget);
        var sim = new SimulatedSpec(0, 0);
        var rung = SimulatedTrainer.Run(Task("st/o0/t1/s0/e2", "scheduled", 2), manifest, sim, 1, CancellationToken.None);
        var continued = SimulatedTrainer.Run(Task("st/o0/t1/s0", "scheduled", null), manifest, sim, 1, CancellationToken.None);
        var plain = SimulatedTrainer.Run(Task("st/o0/t1/s0", "plain", null), manifest, sim, 1, CancellationToken.None);

        Assert.Equal(2, rung.EpochsRun);
        Assert.True(rung.ValidationMetrics["auroc"] < plain.ValidationMetrics["auroc"]);
        // Curves: one value per epoch run, the last the result's; the rung's is where the continued run's begins; rising.
        Assert.Equal(2, rung.Curve("auroc")!.Count);
        Assert.Equal(plain.EpochsRun, plain.Curve("auroc")!.Count);
        Assert.Equal(plain.ValidationMetrics["auroc"], plain.Curve("auroc")![^1]);
        Assert.Equal(plain.ValidationLoss, plain.Curve("loss")![^1]);
        Assert.Equal(rung.Curve("auroc"), continued.Curve("auroc")!.Take(2));
        Assert.True(plain.Curve("auroc")![0] < plain.Curve("auroc")![^1]);
        Assert.Equal(plain.ValidationMetrics, continued.ValidationMetrics);
        Assert.Equal(plain.BestEpoch, continued.BestEpoch);
        Assert.Equal(File.ReadAllText(Path.Combine(dir.Path, "plain", "predictions.csv")), File.ReadAllText(Path.Combine(dir.Path, "scheduled", "predictions.csv")));
    }

    [Theory]
    [InlineData("{ kind: asha, grace_period: 20 }", "search.scheduler.grace_period", "below training.max_epochs (20)")]
    [InlineData("{ grace_period: 2 }", "search.scheduler.kind", "is required")]
    [InlineData("{ kind: fifo }", "search.scheduler.kind", "unknown value 'fifo'")]
    [InlineData("{ kind: asha, brackets: 2 }", "search.scheduler.brackets", "applies to hyperband only")]
    [InlineData("{ kind: median, reduction_factor: 2 }", "search.scheduler.reduction_factor", "applies to asha and hyperband only")]
    [InlineData("{ kind: asha, min_trials: 2 }", "search.scheduler.min_trials", "applies to median only")]
    [InlineData("{ kind: hyperband, grace_period: 3, reduction_factor: 3, brackets: 3 }", "search.scheduler.brackets", "use fewer brackets")]
    [InlineData("{ kind: asha, reduction_factor: 1 }", "search.scheduler.reduction_factor", "")]
    [InlineData("{ kind: asha, p_threshold: 0.05 }", "search.scheduler.p_threshold", "applies to wilcoxon only")]
    [InlineData("{ kind: wilcoxon, p_threshold: 1 }", "search.scheduler.p_threshold", "")]
    [InlineData("{ kind: wilcoxon, min_trials: 2 }", "search.scheduler.min_trials", "applies to median only")]
    [InlineData("{ kind: asha, cohort: 5 }", "search.scheduler.cohort", "5 trials would wait for each other at a rung, but search.parallelism (4)")]
    [InlineData("{ kind: hyperband, brackets: 2, cohort: 3 }", "search.scheduler.cohort", "3 × 2 brackets trials would wait")]
    [InlineData("{ kind: asha, cohort: 0 }", "search.scheduler.cohort", "")]
    [InlineData("{ kind: wilcoxon, extrapolate: true }", "search.scheduler.extrapolate", "applies to asha, hyperband and median")]
    [InlineData("{ kind: asha, grace_period: 2, extrapolate: true }", "search.scheduler.grace_period", "extrapolate needs a learning curve of 3 epochs")]
    [InlineData("{ kind: asha, extrapolate: maybe }", "search.scheduler.extrapolate", "")]
    public void A_bad_scheduler_is_refused_naming_its_key(string scheduler, string key, string message)
    {
        using var dir = new Nachos.Tests.TempDir();
        var e = Assert.Throws<SpecException>(() => LoadWithScheduler(dir, scheduler));
        Assert.Contains(e.Errors, x => x.Path == key && x.Message.Contains(message));
    }

    [Fact]
    public void A_scheduler_is_read_with_its_defaults()
    {
        using var dir = new Nachos.Tests.TempDir();
        var s = LoadWithScheduler(dir, "{ kind: hyperband, brackets: 2 }").Search.Scheduler!;
        Assert.Equal(new SchedulerSpec(SchedulerKind.Hyperband, 1, 3, 2, 3, 1), s);
        Assert.Null(LoadWithScheduler(dir, null).Search.Scheduler);
        Assert.Equal(4, LoadWithScheduler(dir, "{ kind: asha, cohort: 4 }").Search.Scheduler!.Cohort);
        Assert.False(s.Extrapolate);
        Assert.True(LoadWithScheduler(dir, "{ kind: asha, grace_period: 3, extrapolate: true }").Search.Scheduler!.Extrapolate);
    }

    private static StudySpec LoadWithScheduler(Nachos.Tests.TempDir dir, string? scheduler)
    {
        File.WriteAllText(Path.Combine(dir.Path, "m.csv"), "image,label,patient\na.png,normal,P1\nb.png,lesion,P2\n");
        var path = Path.Combine(dir.Path, "spec.yaml");
        File.WriteAllText(path, $$"""
            name: s
            dataset: { manifest: m.csv, classes: [normal, lesion], group_column: patient }
            training: { max_epochs: 20 }
            search:
              trials: 4
              space: { learning_rate: { type: log-uniform, low: 0.0001, high: 0.1 } }
              {{(scheduler is null ? "" : "scheduler: " + scheduler)}}
            """);
        return Nachos.Shared.SpecLoading.SpecLoader.LoadFile(path);
    }
}

public sealed class TwoStageSearchTests
{
    private static readonly SearchSpec Search = new(SamplerKind.Random, 4, 2, "auroc",
        [SearchTestKit.Numeric("learning_rate", ParamKind.LogUniform, 1e-5, 1e-1)], 3,
        Scheduler: new SchedulerSpec(SchedulerKind.Asha, 2, 3, 1, 3, 1),
        Proxy: new ProxySpec(null, new ProxyNetworkSpec(0.5, 0), TopK: 2));

    private static FoldState Finish(FoldState f, int trial, double score) =>
        f.Apply(new TrialFinished(new TrialResult(trial, f.Started[trial], score, 0.01, 3, [score], null)));

    [Fact]
    public void The_proxy_searchs_best_configurations_run_again_at_full_size_and_the_choice_is_among_those()
    {
        var fold = FoldState.Empty.Apply(new FoldStarted("st", 0, 4, 4, 2, 20, 3, "auroc", true, 0.5, Search, 1));
        var sampler = fold.Sampler();
        foreach (var e in fold.Decide(sampler)) fold = fold.Apply(e);
        Assert.Equal([0, 1, 2, 3], fold.Running.Order());
        // Stage one is proxied and scheduled; stage two trials are neither.
        Assert.True(Search.Proxied(3));
        Assert.False(Search.Proxied(4));
        Assert.Equal([2, 6, 18], fold.TrialRequest(0).Rungs);

        fold = Finish(Finish(Finish(Finish(fold, 0, 0.70), 1, 0.90), 2, 0.80), 3, 0.60);
        var second = fold.Decide(sampler);
        Assert.Equal([(4, fold.Started[1]), (5, fold.Started[2])], second.Cast<TrialStarted>().Select(t => (t.Trial, t.Config)));
        foreach (var e in second) fold = fold.Apply(e);
        Assert.Null(fold.TrialRequest(4).Rungs);
        Assert.Null(fold.TrialRequest(4).Budget());
        Assert.Empty(fold.Decide(sampler)); // waits for both

        // At full size the ranking flips; the proxy stage's 0.90 is not a candidate.
        fold = Finish(Finish(fold, 4, 0.75), 5, 0.85);
        var refit = Assert.IsType<RefitStarted>(Assert.Single(fold.Decide(sampler)));
        Assert.Equal(5, refit.Trial);
        Assert.Equal(fold.Started[2], refit.Config);
    }

    [Fact]
    public void A_full_size_stage_whose_trials_all_fail_fails_the_fold_naming_it()
    {
        var fold = FoldState.Empty.Apply(new FoldStarted("st", 0, 4, 4, 2, 20, 3, "auroc", true, 0.9, Search with { Scheduler = null }, 1));
        var sampler = fold.Sampler();
        foreach (var e in fold.Decide(sampler)) fold = fold.Apply(e);
        fold = Finish(Finish(Finish(Finish(fold, 0, 0.70), 1, 0.90), 2, 0.80), 3, 0.60);
        foreach (var e in fold.Decide(sampler)) fold = fold.Apply(e);
        foreach (var n in new[] { 4, 5 })
            fold = fold.Apply(new TrialFinished(new TrialResult(n, fold.Started[n], null, null, 0, [null], $"st/o0/t{n}/s0: crashed: boom")));
        var failed = Assert.IsType<FoldFailed>(Assert.Single(fold.Decide(sampler)));
        Assert.Contains("t5", failed.Reason);
    }

    [Fact]
    public void The_cost_of_a_two_stage_search_is_split_into_its_proxy_and_full_size_stages()
    {
        TaskView Done(string id, double seconds) => new(id, 0, TaskAddress.Parse(id).Trial, 0, TaskStates.Succeeded, null,
            new TaskScores(1, 0.5, new Dictionary<string, double?>(), 3), null, 1, Seconds: seconds);
        var cost = StudyCost.Of([Done("st/o0/t0/s0", 1), Done("st/o0/t3/s0", 1.5), Done("st/o0/t4/s0", 6), Done("st/o0/refit", 7)], null, Search);
        Assert.Equal([StudyCost.ProxySearch, StudyCost.FullSizeStage, StudyCost.Refits], cost.Stages.Select(s => s.Stage));
        Assert.Equal([2.5, 6, 7], cost.Stages.Select(s => s.DeviceSeconds));
    }
}
