using Akka.Actor;
using Akka.Cluster.Sharding;
using Microsoft.Data.Sqlite;
using Nachos.Actors.Entities;
using Nachos.Actors.Node;

namespace Nachos.Actors.Tests;

/// <summary>What a run directory keeps of a finished study: the queue's latest snapshot only, and no entity left to restart.</summary>
public sealed class GrowthTests
{
    private static long Scalar(string runDir, string sql)
    {
        using var db = new SqliteConnection($"Data Source={Path.Combine(runDir, "journal.db")}");
        db.Open();
        using var query = db.CreateCommand();
        query.CommandText = sql;
        return Convert.ToInt64(query.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task<int> Entities(NachosNode node, string region)
    {
        var state = await ClusterSharding.Get(node.System).ShardRegion(region)
            .Ask<CurrentShardRegionState>(GetShardRegionState.Instance, TimeSpan.FromSeconds(10));
        return state.Shards.Sum(s => s.EntityIds.Count);
    }

    [Fact]
    public async Task After_many_queue_snapshots_only_the_latest_remains_in_the_snapshot_table()
    {
        using var study = new SimulatedStudy(trials: 12, parallelism: 3);
        var runDir = study.RunDir("snapshots");
        // 3 outer folds × (12 trials × 2 inner splits + 1 refit) = 75 completions: 15 snapshots of every 5.
        await study.Run(runDir, devices: 3, overrides: "nachos.queue-snapshot-every = 5");

        // Deleting the older snapshot follows the save; the node may have stopped just before the last deletion.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        long count;
        while ((count = Scalar(runDir, "SELECT count(*) FROM snapshot WHERE persistence_id = 'work-queue'")) > 2 && DateTime.UtcNow < deadline)
            await Task.Delay(100);
        Assert.InRange(count, 1, 2);
        // The queue still answers from what is left: the study runs again to a complete report.
        var again = await study.Run(runDir, devices: 1, overrides: "nachos.queue-snapshot-every = 5");
        Assert.True(again.Complete);
    }

    [Fact]
    public async Task A_finished_study_leaves_no_entity_to_restart_and_running_it_again_starts_no_trial_or_fold()
    {
        using var study = new SimulatedStudy(trials: 12, parallelism: 3);
        var runDir = study.RunDir("rerun");
        var (node, report, _) = await study.Start(runDir, devices: 3);
        StudyReportJson first;
        await using (node)
        {
            first = new(await report.WaitAsync(TimeSpan.FromMinutes(3)));
            // Done trials, folds and the study passivate, so remember-entities forgets them.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (DateTime.UtcNow < deadline && (await Entities(node, Regions.Trial) + await Entities(node, Regions.Fold) + await Entities(node, Regions.Study)) > 0)
                await Task.Delay(100);
            Assert.Equal((0, 0, 0), (await Entities(node, Regions.Trial), await Entities(node, Regions.Fold), await Entities(node, Regions.Study)));
        }

        var (again, rerun, progress) = await study.Start(runDir, devices: 3);
        await using (again)
        {
            Assert.Equal(first.Text, new StudyReportJson(await rerun.WaitAsync(TimeSpan.FromMinutes(1))).Text);
            // No trial or fold comes back (remembered entities would start within a second or two of the node); no fold reports progress.
            for (var i = 0; i < 20; i++)
            {
                Assert.Equal((0, 0), (await Entities(again, Regions.Trial), await Entities(again, Regions.Fold)));
                await Task.Delay(150);
            }
            Assert.Equal(0, progress());
        }
    }

    private sealed record StudyReportJson(string Text)
    {
        public StudyReportJson(Nachos.Shared.Study.StudyReport report) : this(System.Text.Json.JsonSerializer.Serialize(report, Serialization.NachosSerializer.Json))
        {
        }
    }
}
