using Nachos.Tests;
using Xunit.Abstractions;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// The chaos harness: a campaign on N local nodes (PostgreSQL journal) while random nodes are killed
/// (-9) or terminated (SIGTERM) at random moments and restarted; then the invariants: every task's
/// outcome persisted exactly once and the report equal to the fault-free run's. CI runs the short form;
/// for a soak run set NACHOS_CHAOS_KILLS, NACHOS_CHAOS_TRIALS, NACHOS_CHAOS_NODES, NACHOS_CHAOS_EPOCH_SECONDS
/// and NACHOS_CHAOS_SEED (bench/chaos.sh).
/// </summary>
[Collection("cluster")]
public sealed class ChaosTests(PostgresServer postgres, ITestOutputHelper output)
{
    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out var v) ? v : fallback;

    [Fact]
    public async Task Random_kills_and_restarts_lose_and_duplicate_nothing_and_the_report_equals_the_fault_free_run()
    {
        var kills = Setting("NACHOS_CHAOS_KILLS", 3);
        var trials = Setting("NACHOS_CHAOS_TRIALS", 12);
        var nodes = Math.Max(3, Setting("NACHOS_CHAOS_NODES", 4));
        var random = new Random(Setting("NACHOS_CHAOS_SEED", 1));
        // Soak runs with many kills need slower tasks, or the study ends before the kills do. A restarted node waits
        // about 14 s for the cluster to down its previous incarnation (IncarnationFence): at 0.15 s an epoch the study
        // ended during the second restart.
        var epochSeconds = double.TryParse(Environment.GetEnvironmentVariable("NACHOS_CHAOS_EPOCH_SECONDS"),
            System.Globalization.CultureInfo.InvariantCulture, out var e) ? e : 0.5;
        var (dir, reference) = Campaign.Prepare(epochSeconds, trials);
        using var _ = dir;
        // Three coordinators keep a majority of coordinators through any single failure; the rest are workers.
        var layout = Enumerable.Range(0, nodes).Select(i => i < 3 ? ("coordinator,worker", 2) : ("worker", 2)).ToArray();
        using var cluster = new LocalCluster(dir.File("root"), postgres.CreateDatabase($"chaos_{Guid.NewGuid():N}"), layout)
        {
            RestartExitedNodes = true,
        };
        cluster.StartAll();
        Campaign.Submit(dir, cluster.Root);
        var report = Path.Combine(cluster.StudyDir(Campaign.Study), "report.json");
        var done = 0;
        for (var k = 1; k <= kills; k++)
        {
            // The k-th failure comes at a random moment in the k-th slice of the study.
            var slice = Campaign.Tasks(trials) / (kills + 1.0);
            cluster.WaitForTasks(Campaign.Study, (int)(slice * (k - 1 + random.NextDouble())) + 1, TimeSpan.FromMinutes(3));
            if (File.Exists(report)) break;
            var victim = random.Next(nodes);
            var graceful = random.NextDouble() < 0.25;
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {(graceful ? "SIGTERM" : "kill -9")} node {victim} at {cluster.FinishedTasks(Campaign.Study)} tasks");
            if (graceful) cluster.Terminate(victim);
            else cluster.Kill(victim);
            done++;
            Thread.Sleep(random.Next(500, 3000));
            cluster.Start(victim);
        }
        Assert.True(done == kills, $"the study finished after {done} of {kills} kills; give it more trials");
        Assert.Equal(reference, cluster.WaitForReport(Campaign.Study, TimeSpan.FromMinutes(5)));
        await Campaign.AssertExactlyOnce(cluster, trials);
        foreach (var restart in cluster.PolicyRestarts) output.WriteLine(restart);
        output.WriteLine($"{kills} failures, {Campaign.Tasks(trials)} tasks, each persisted once; report equal to the fault-free run");
    }
}
