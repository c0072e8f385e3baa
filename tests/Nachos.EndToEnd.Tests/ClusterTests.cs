using Nachos.Tests;

namespace Nachos.EndToEnd.Tests;

/// <summary>Timing-sensitive multi-process tests run alone, not next to other test classes on 2 cores.</summary>
[CollectionDefinition("cluster", DisableParallelization = true)]
public sealed class ClusterCollection : ICollectionFixture<PostgresServer>;

/// <summary>
/// Real <c>nachos node</c> processes on loopback with a real PostgreSQL journal, under failures. In every
/// case the report must equal a fault-free embedded run's, byte for byte, and the queue must have
/// persisted exactly one outcome per task.
/// </summary>
[Collection("cluster")]
public sealed class ClusterTests(PostgresServer postgres)
{
    private const string Study = Campaign.Study;

    private static readonly (string, int) Both = ("coordinator,worker", 2);
    private static readonly (string, int) Worker = ("worker", 2);

    private static (TempDir Dir, string Reference) Prepare(double secondsPerEpoch) => Campaign.Prepare(secondsPerEpoch);

    private static void Submit(TempDir dir, string root) => Campaign.Submit(dir, root);

    private static Task AssertExactlyOnce(LocalCluster cluster) => Campaign.AssertExactlyOnce(cluster);

    internal string Database(string name) => postgres.CreateDatabase($"{name}_{Guid.NewGuid():N}"[..Math.Min(40, name.Length + 33)]);

    [Fact]
    public async Task A_worker_killed_mid_study_its_tasks_finish_elsewhere_and_the_report_equals_the_fault_free_run()
    {
        var (dir, reference) = Prepare(0.05);
        using var _ = dir;
        using var cluster = new LocalCluster(dir.File("root"), Database("worker_kill"), Both, Both, Worker);
        cluster.StartAll();
        Submit(dir, cluster.Root);
        cluster.WaitForTasks(Study, 15, TimeSpan.FromMinutes(2));
        cluster.Kill(2);
        Assert.Equal(reference, cluster.WaitForReport(Study, TimeSpan.FromMinutes(3)));
        await AssertExactlyOnce(cluster);
    }

    [Fact]
    public async Task The_coordinator_hosting_the_queue_and_shards_killed_another_coordinator_takes_over()
    {
        var (dir, reference) = Prepare(0.05);
        using var _ = dir;
        using var cluster = new LocalCluster(dir.File("root"), Database("coordinator_kill"), Both, Both, Worker);
        cluster.StartAll(); // one by one: node 0 is the oldest, so it hosts the queue singleton and the shard coordinator
        Submit(dir, cluster.Root);
        cluster.WaitForTasks(Study, 15, TimeSpan.FromMinutes(2));
        cluster.Kill(0);
        Assert.Equal(reference, cluster.WaitForReport(Study, TimeSpan.FromMinutes(3)));
        await AssertExactlyOnce(cluster);
        Assert.Contains($"study {Study} complete", cluster.Output(1));
    }

    [Fact]
    public async Task Every_node_killed_then_restarted_the_campaign_resumes()
    {
        var (dir, reference) = Prepare(0.05);
        using var _ = dir;
        using var cluster = new LocalCluster(dir.File("root"), Database("all_killed"), Both, Both, Worker);
        cluster.StartAll();
        Submit(dir, cluster.Root);
        cluster.WaitForTasks(Study, 15, TimeSpan.FromMinutes(2));
        for (var i = 0; i < 3; i++) cluster.Kill(i);
        var before = cluster.FinishedTasks(Study);
        Assert.True(before < Campaign.Tasks(10), "finished before the kill; slow the simulated trainer");
        cluster.StartAll();
        Assert.Equal(reference, cluster.WaitForReport(Study, TimeSpan.FromMinutes(3)));
        await AssertExactlyOnce(cluster);
    }

    [Fact]
    public async Task SIGTERM_hands_running_tasks_back_at_once_and_the_node_leaves_cleanly()
    {
        var (dir, reference) = Prepare(0.3);
        using var _ = dir;
        // Leases that would take minutes to expire: only the hand-back lets the study finish in time.
        var slowLeases = new Dictionary<string, string>(LocalCluster.FastFailover) { ["NACHOS_LEASE_TIMEOUT"] = "300s" };
        using var cluster = new LocalCluster(dir.File("root"), Database("sigterm"), slowLeases, Both, Worker);
        cluster.StartAll();
        Submit(dir, cluster.Root);
        cluster.WaitForTasks(Study, 8, TimeSpan.FromMinutes(2));
        Assert.Equal(0, cluster.Terminate(1));
        Assert.Contains("interrupted", cluster.Logs());
        Assert.Contains("left", cluster.Logs());
        Assert.Equal(reference, cluster.WaitForReport(Study, TimeSpan.FromMinutes(3)));
        await AssertExactlyOnce(cluster);
    }

    [Fact]
    public async Task A_worker_joining_mid_campaign_starts_taking_tasks()
    {
        var (dir, reference) = Prepare(0.02);
        using var _ = dir;
        using var cluster = new LocalCluster(dir.File("root"), Database("join"), ("coordinator", 0), Worker);
        cluster.Start(0);
        Submit(dir, cluster.Root);
        Thread.Sleep(6000);
        Assert.Equal(0, cluster.FinishedTasks(Study)); // a coordinator without devices runs nothing
        cluster.Start(1);
        Assert.Equal(reference, cluster.WaitForReport(Study, TimeSpan.FromMinutes(3)));
        Assert.Contains("succeeded", cluster.Output(1));
        await AssertExactlyOnce(cluster);
    }
}
