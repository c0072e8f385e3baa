using System.Text.Json;
using Nachos.Actors.Serialization;
using Nachos.Shared.Study;

namespace Nachos.Actors.Tests;

public sealed class StudyOrchestrationTests
{
    private static string Json(StudyReport r) => JsonSerializer.Serialize(r, NachosSerializer.Json);

    [Fact]
    public async Task Hundreds_of_trials_on_the_actors_give_exactly_the_sequential_reference_choices_and_report()
    {
        using var study = new SimulatedStudy(trials: 100, parallelism: 4, failureRate: 0.05);
        var reference = ReferenceStudy.Compute(study.Context(study.RunDir("reference")));
        var actual = await study.Run(study.RunDir("actors"), devices: 6);

        Assert.Equal(3, actual.Folds.Count);
        Assert.All(actual.Folds, f => Assert.Equal(100, f.Trials.Count));
        Assert.Contains(actual.Folds.SelectMany(f => f.Trials), t => t.Failed); // injected failures exhausted their retries somewhere
        Assert.Equal(reference.Folds.Select(f => f.ChosenTrial), actual.Folds.Select(f => f.ChosenTrial));
        Assert.Equal(Json(reference), Json(actual));
        Assert.True(File.Exists(Path.Combine(study.RunDir("actors"), "report.json")));
    }

    [Fact]
    public async Task The_deploy_fold_searches_all_data_chooses_as_the_domain_rule_does_and_leaves_the_estimate_unchanged()
    {
        using var plain = new SimulatedStudy(trials: 12, parallelism: 3, failureRate: 0.05);
        using var dachos = new SimulatedStudy(trials: 12, parallelism: 3, failureRate: 0.05, deploy: true);
        var reference = ReferenceStudy.Compute(dachos.Context(dachos.RunDir("reference")));
        var actual = await dachos.Run(dachos.RunDir("actors"), devices: 4);
        var without = await plain.Run(plain.RunDir("plain"), devices: 4);

        Assert.Equal(Json(reference), Json(actual));
        // The outer folds and the estimate are those of the same study without deploy: the deploy fold adds, never changes.
        Assert.Equal(JsonSerializer.Serialize(without.Folds, NachosSerializer.Json), JsonSerializer.Serialize(actual.Folds, NachosSerializer.Json));
        Assert.Equal(JsonSerializer.Serialize(without.Metrics, NachosSerializer.Json), JsonSerializer.Serialize(actual.Metrics, NachosSerializer.Json));
        Assert.Null(without.Deploy);

        var deploy = actual.Deploy!;
        Assert.Equal(dachos.Plan.DeployIndex, deploy.Outer);
        Assert.Null(deploy.Failure);
        Assert.Equal(12, deploy.Trials.Count);
        Assert.Empty(deploy.TestMetrics); // no test set: the final model is never scored on its own training data
        // The choice is the fold rule's: highest mean inner score, ties to the lowest trial; epochs ceil(mean best epoch).
        var best = deploy.Trials.Where(t => !t.Failed).OrderByDescending(t => t.Score).ThenBy(t => t.Trial).First();
        Assert.Equal(best.Trial, deploy.ChosenTrial);
        Assert.Equal(best.Config, deploy.Config);
        Assert.Equal((int)Math.Ceiling(best.MeanBestEpoch - 1e-9), deploy.RefitEpochs);
        // The final model's task trained on every image, with no validation and no test rows.
        var refit = Path.Combine(dachos.RunDir("actors"), Nachos.Shared.Tasks.TaskAddress.Refit("sim", deploy.Outer).Folder, "predictions.csv");
        Assert.Single(File.ReadAllLines(refit)); // the header only
        Assert.Contains("\"deploy\"", File.ReadAllText(Path.Combine(dachos.RunDir("actors"), "report.json")));
    }

    [Theory]
    [InlineData(4, 1)]
    [InlineData(24, 24)] // synchronous successive halving: every trial judged against all 24 at a rung
    public async Task A_scheduled_search_on_the_actors_stops_and_promotes_as_the_sequential_reference_does(int parallelism, int cohort)
    {
        // max_epochs 20, grace 2, η 3: rungs at epochs 2, 6 and 18, then the end.
        using var study = new SimulatedStudy(trials: 24, parallelism: parallelism, failureRate: 0.05,
            scheduler: $"{{ kind: asha, grace_period: 2, reduction_factor: 3, cohort: {cohort} }}");
        var reference = ReferenceStudy.Compute(study.Context(study.RunDir("reference")));
        var actual = await study.Run(study.RunDir("actors"), devices: 4);

        Assert.Equal(Json(reference), Json(actual));
        foreach (var fold in actual.Folds)
        {
            Assert.Null(fold.Failure);
            Assert.Equal(24, fold.Trials.Count);
            var stopped = fold.Trials.Where(t => t.Stopped).ToList();
            Assert.NotEmpty(stopped);
            Assert.All(stopped, t => Assert.Contains(t.RungEpoch!.Value, new[] { 2, 6, 18 }));
            // Most trials stop at the first rung; the chosen one ran to the end.
            Assert.True(stopped.Count(t => t.RungEpoch == 2) >= 8, $"fold {fold.Outer}: {stopped.Count(t => t.RungEpoch == 2)} stopped at epoch 2");
            var chosen = fold.Trials.Single(t => t.Trial == fold.ChosenTrial);
            Assert.False(chosen.Stopped);
            Assert.Null(chosen.RungEpoch);
        }
        // A promoted trial's last rung continued its earlier rung: the full training's folder holds the final result.
        var runDir = study.RunDir("actors");
        var full = actual.Folds[0].Trials.First(t => !t.Stopped && !t.Failed);
        Assert.True(File.Exists(Path.Combine(runDir, Nachos.Shared.Tasks.TaskAddress.InnerSplit("sim", 0, full.Trial, 0).Folder, "predictions.csv")));
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(3, false)] // cohorts of three, halved together
    [InlineData(3, true)] // ranked by the learning curves' forecasts, which the rungs' results carry through the journal
    public async Task A_scheduled_search_stopped_mid_study_and_restarted_finishes_as_the_reference_does(int cohort, bool extrapolate)
    {
        using var study = new SimulatedStudy(trials: 18, parallelism: 3, secondsPerEpoch: 0.002,
            scheduler: $"{{ kind: asha, grace_period: {(extrapolate ? 3 : 2)}, reduction_factor: 3, cohort: {cohort}, extrapolate: {(extrapolate ? "true" : "false")} }}");
        var runDir = study.RunDir("restarted");
        var (node, report, progress) = await study.Start(runDir, devices: 3);
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (progress() < 10 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.False(report.IsCompleted, "the study finished before the node could be stopped; slow the simulated trainer");
        await node.DisposeAsync();

        var resumed = await study.Run(runDir, devices: 2);
        var reference = ReferenceStudy.Compute(study.Context(study.RunDir("reference")));
        Assert.Equal(Json(reference), Json(resumed));
        var stopped = resumed.Folds.SelectMany(f => f.Trials).Where(t => t.Stopped).ToList();
        Assert.NotEmpty(stopped);
        // A stopped trial's result is its rung's, with the splits' mean curve of every epoch they ran (early stopping may end it before the rung).
        Assert.All(stopped, t => Assert.InRange(Assert.IsAssignableFrom<IReadOnlyList<double?>>(t.Curve).Count, 1, t.RungEpoch!.Value));
        Assert.Contains(stopped, t => t.Curve!.Count == t.RungEpoch);
    }

    [Fact]
    public async Task The_journal_holds_two_queue_events_per_task_one_event_per_trial_and_the_folds_decisions()
    {
        using var study = new SimulatedStudy(trials: 10, parallelism: 3);
        var runDir = study.RunDir("writes");
        await study.Run(runDir, devices: 3);
        const int folds = 3, splits = 2, trials = 10;
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(runDir, "journal.db")}");
        db.Open();
        using var query = db.CreateCommand();
        query.CommandText = "SELECT substr(persistence_id, 1, instr(persistence_id || '-', '-') - 1), manifest, count(*) FROM journal GROUP BY 1, 2";
        var counts = new Dictionary<string, long>();
        using (var reader = query.ExecuteReader())
            while (reader.Read()) counts[$"{reader.GetString(0)} {reader.GetString(1)}"] = reader.GetInt64(2);
        var tasks = folds * (trials * splits + 1);
        Assert.Equal(tasks, counts["work task-queued.v1"]);
        Assert.Equal(tasks, counts["work task-completed.v1"]);
        // A trial journals its request only (split outcomes come back from the queue after a restart).
        Assert.Equal(folds * trials, counts["trial trial-requested.v1"]);
        Assert.False(counts.ContainsKey("trial split-finished.v1"));
        Assert.Equal(folds * trials, counts["fold trial-started.v1"]);
        Assert.Equal(folds * trials, counts["fold trial-finished.v1"]);
    }

    [Fact]
    public async Task One_device_and_four_devices_give_the_same_report()
    {
        using var study = new SimulatedStudy(trials: 16, parallelism: 4);
        var one = await study.Run(study.RunDir("one"), devices: 1);
        var four = await study.Run(study.RunDir("four"), devices: 4);
        Assert.Equal(Json(one), Json(four));
    }

    [Fact]
    public async Task A_node_stopped_mid_study_and_restarted_recovers_every_entity_from_the_journal_and_finishes_identically()
    {
        using var study = new SimulatedStudy(trials: 30, parallelism: 3, secondsPerEpoch: 0.002);
        var runDir = study.RunDir("restarted");
        var (node, report, progress) = await study.Start(runDir, devices: 3);
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (progress() < 20 && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.False(report.IsCompleted, "the study finished before the node could be stopped; slow the simulated trainer");
        await node.DisposeAsync();

        // Only the start command is sent again; the entities, the queue and the remembered trials come back from SQLite.
        var resumed = await study.Run(runDir, devices: 2);
        var reference = ReferenceStudy.Compute(study.Context(study.RunDir("reference")));
        Assert.Equal(Json(reference), Json(resumed));
    }

    [Fact]
    public async Task A_finished_study_republishes_its_journalled_report_even_after_its_files_are_removed()
    {
        using var study = new SimulatedStudy(trials: 6, parallelism: 2);
        var runDir = study.RunDir("done");
        var first = await study.Run(runDir, devices: 2);
        File.Delete(Path.Combine(runDir, "report.json"));
        File.Delete(Path.Combine(runDir, "o0", "refit", "predictions.csv"));

        var again = await study.Run(runDir, devices: 2);

        Assert.Equal(Json(first), Json(again));
        Assert.True(File.Exists(Path.Combine(runDir, "report.json")));
        Assert.NotNull(first.Metrics.Single(m => m.Metric == "auroc").BootstrapLow);
    }
}
