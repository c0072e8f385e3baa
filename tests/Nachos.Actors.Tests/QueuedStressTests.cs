using System.Text.Json;
using Nachos.Actors.Serialization;
using Nachos.Shared.Robustness;
using Nachos.Shared.Study;

namespace Nachos.Actors.Tests;

/// <summary>
/// A study whose spec has <c>robustness:</c> stress-tests each outer fold's refit as a queued task (o{k}/stress, simulated here),
/// and builds robustness.json from their results when it ends.
/// </summary>
public sealed class QueuedStressTests
{
    private const string Robustness = "robustness: { transforms: [gamma, jpeg], severities: [1, 5] }";

    [Fact]
    public async Task Each_outer_fold_queues_one_stress_task_after_its_refit_and_the_study_writes_robustness_json_from_them()
    {
        using var stressed = new SimulatedStudy(trials: 4, parallelism: 2, extra: Robustness);
        using var plain = new SimulatedStudy(trials: 4, parallelism: 2);
        var runDir = stressed.RunDir("stressed");
        var report = await stressed.Run(runDir, devices: 3);
        var without = await plain.Run(plain.RunDir("plain"), devices: 3);

        // The stress tests add to the study, never change its report.
        Assert.Equal(JsonSerializer.Serialize(without, NachosSerializer.Json), JsonSerializer.Serialize(report, NachosSerializer.Json));

        var robustness = RobustnessReport.Read(RobustnessReport.PathIn(runDir));
        Assert.Equal([0, 1, 2], robustness.Folds);
        Assert.Equal([("gamma", 1), ("gamma", 5), ("jpeg", 1), ("jpeg", 5)], robustness.Conditions.Select(c => (c.Transform, c.Severity)));
        // The baseline is each refit on its own outer test fold: the report's very numbers.
        foreach (var m in report.Metrics) Assert.Equal(m.PerFold, robustness.Baseline.Of(m.Metric)!.PerFold);
        Assert.All(robustness.Conditions, c => Assert.All(c.Metrics, m => Assert.Equal(3, m.PerFold.Count)));
        // The simulated shift grows with the severity (a blend with per-image noise): severity 5 of jpeg loses AUROC on average.
        Assert.True(robustness.At("jpeg", 5)!.Of("auroc")!.Drop > 0);
        foreach (var k in new[] { 0, 1, 2 })
            Assert.Equal(k, StressFold.Read(RunLayout.StressPath(Path.Combine(runDir, $"o{k}", "stress"))).Outer);

        // Queued and completed through the work queue, one per fold, and journalled by each fold.
        var tasks = StudyTaskFile.Read(runDir)!.Tasks;
        Assert.Equal(["sim/o0/stress", "sim/o1/stress", "sim/o2/stress"], tasks.Where(t => t.IsStress).Select(t => t.TaskId).Order());
        Assert.All(tasks.Where(t => t.IsStress), t => Assert.Equal(TaskStates.Succeeded, t.State));
        var counts = JournalCounts(runDir);
        Assert.Equal(3 * (4 * 2 + 2), counts["work task-queued.v1"]);
        Assert.Equal(3, counts["fold stress-finished.v1"]);
        Assert.False(JournalCounts(plain.RunDir("plain")).ContainsKey("fold stress-finished.v1"));
    }

    [Fact]
    public async Task A_stress_task_that_fails_ends_its_fold_with_its_test_metrics_and_robustness_json_names_it()
    {
        using var study = new SimulatedStudy(trials: 2, parallelism: 2, extra: Robustness);
        var runDir = study.RunDir("failing");
        // Outer fold 1's stress test cannot write its result: a file stands where its folder must be (every attempt fails).
        Directory.CreateDirectory(Path.Combine(runDir, "o1"));
        File.WriteAllText(Path.Combine(runDir, "o1", "stress"), "");

        var report = await study.Run(runDir, devices: 2);

        Assert.True(report.Complete);
        var fold = report.Folds.Single(f => f.Outer == 1);
        Assert.Null(fold.Failure);
        Assert.NotEmpty(fold.TestMetrics);
        Assert.StartsWith("sim/o1/stress: ", fold.StressFailure);
        var robustness = RobustnessReport.Read(RobustnessReport.PathIn(runDir));
        Assert.Equal([0, 2], robustness.Folds);
        Assert.StartsWith("outer fold 1: sim/o1/stress: ", Assert.Single(robustness.Failures!));
    }

    private static Dictionary<string, long> JournalCounts(string runDir)
    {
        using var db = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Path.Combine(runDir, "journal.db")};Pooling=false");
        db.Open();
        using var query = db.CreateCommand();
        query.CommandText = "SELECT substr(persistence_id, 1, instr(persistence_id || '-', '-') - 1), manifest, count(*) FROM journal GROUP BY 1, 2";
        var counts = new Dictionary<string, long>();
        using var reader = query.ExecuteReader();
        while (reader.Read()) counts[$"{reader.GetString(0)} {reader.GetString(1)}"] = reader.GetInt64(2);
        return counts;
    }
}
