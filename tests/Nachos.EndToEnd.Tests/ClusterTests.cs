using System.Net.Http.Json;
using Nachos.Host.Api;
using Nachos.Host.Contract;
using Nachos.Tests;
using static Nachos.EndToEnd.Tests.Campaign;

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
    private static readonly (string, int) Both = ("coordinator,worker", 2);
    private static readonly (string, int) Worker = ("worker", 2);

    private string Database(string name) => postgres.CreateDatabase($"{name}_{Guid.NewGuid():N}"[..Math.Min(40, name.Length + 33)]);

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
    public async Task Seed_nodes_killed_and_restarted_at_once_on_their_ports_rejoin_and_stay_members()
    {
        using var dir = new TempDir();
        using var cluster = new LocalCluster(dir.File("root"), Database("quick_restart"), Both, Both, Worker);
        cluster.StartAll();
        // As in CI: the oldest seed, then the other one, each back on its host:port within a second.
        foreach (var seed in new[] { 0, 1 })
        {
            cluster.Kill(seed);
            Thread.Sleep(1000);
            cluster.Start(seed); // throws if the node exits before it joined
            Assert.Contains("did not leave the cluster; waiting", cluster.Logs()); // the fence held it back (IncarnationFence)
            // The next seed goes down only once the restarted one is Up: killed while it is still joining, the
            // worker would count two members, one of them unreachable, and rightly down itself (keep-majority).
            await WaitForUpMembers(cluster, [0, 1], 3, TimeSpan.FromSeconds(60));
            Thread.Sleep(10_000); // beyond heartbeat pause + stable-after: a suspected node would be downed by now
        }
        for (var i = 0; i < 3; i++)
            Assert.True(cluster.Running(i) && !cluster.Output(i).Contains("removed from the cluster"), $"node {i} was downed\n{cluster.Logs()}");
    }

    [Fact]
    public void A_node_not_up_within_its_join_timeout_starts_again_as_a_new_incarnation_and_joins_once_its_seed_is_up()
    {
        using var dir = new TempDir();
        var root = dir.File("root");
        var database = Database("rejoin");
        var ports = LocalCluster.FreePorts(2);
        var environment = new Dictionary<string, string>(LocalCluster.FastFailover) { ["NACHOS_JOIN_TIMEOUT"] = "4s" };
        // The worker starts first, so it finds the campaign's key already there (as a shared root holds it).
        Nachos.Actors.Node.CampaignKey.Create(Nachos.Actors.Node.CampaignKey.DefaultPath(root));
        string[] Node(int port, string roles, params string[] more) =>
            ["node", "--root", root, "--port", port.ToString(), "--api-port", "0", "--roles", roles, "--postgres", database, .. more];

        using var worker = new NachosProcess(dir.Path, environment, Node(ports[1], "worker", "--devices", "cpu:1", "--seed", $"127.0.0.1:{ports[0]}"));
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!worker.Error.Contains("new incarnation (2 of 5)") && !worker.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Assert.True(worker.Error.Contains("new incarnation (2 of 5)"), $"the worker did not start again\n{worker.Output}\n{worker.Error}");

        using var seed = new NachosProcess(dir.Path, LocalCluster.FastFailover, Node(ports[0], "coordinator"));
        deadline = DateTime.UtcNow.AddMinutes(1);
        while (!worker.Output.Contains("joined as") && !worker.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Assert.True(worker.Output.Contains($"joined as akka.ssl.tcp://nachos@127.0.0.1:{ports[1]}"), $"the worker did not join\n{worker.Output}\n{worker.Error}\n{seed.Output}\n{seed.Error}");
        worker.Terminate();
        Assert.Equal(0, worker.Wait(TimeSpan.FromSeconds(60)));
        seed.Terminate();
        Assert.Equal(0, seed.Wait(TimeSpan.FromSeconds(60)));
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
        cluster.WaitForOutput(1, $"study {Study} complete", TimeSpan.FromSeconds(30));
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
        Assert.True(before < Tasks(10), "finished before the kill; slow the simulated trainer");
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

        // The coordinator (no devices, the only HTTP server) times the tasks the worker ran.
        using var http = new HttpClient { BaseAddress = ApiNode.ApiUrl(cluster.Output(0)) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", File.ReadAllText(Path.Combine(cluster.Root, "api-token")).Trim());
        var metrics = (await http.GetStringAsync("metrics")).Split('\n');
        var succeeded = metrics.Single(l => l.StartsWith("nachos_task_duration_seconds_count{outcome=\"succeeded\"} ", StringComparison.Ordinal));
        Assert.True(int.Parse(succeeded.Split(' ')[1]) >= Tasks(10), succeeded); // a lease lost on a loaded machine may add one
    }

    [Fact]
    public void A_worker_killed_mid_training_its_real_task_resumes_elsewhere_from_its_checkpoint()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), RunCommandTests.TorchSpec("torchcamp",
            "{ max_epochs: 30, batch_size: 8, early_stopping: { patience: 30 } }",
            "{ trials: 1, parallelism: 1 }",
            "{ trainer: torch, executor: subprocess }"));
        using var cluster = new LocalCluster(dir.File("root"), Database("torch_kill"), ("coordinator", 0), ("worker", 1), ("worker", 1));
        cluster.StartAll();
        var submit = NachosProcess.Run(dir.Path, "submit", "spec.yaml", "--root", cluster.Root);
        Assert.True(submit.Code == 0, submit.Output + submit.Error);

        // Wait for a task of node 1 with a checkpoint past its first epoch, then kill node 1.
        var study = cluster.StudyDir("torchcamp");
        var node1 = $"node pid {cluster.Pid(1)} ";
        string? task = null;
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (task is null && DateTime.UtcNow < deadline)
        {
            task = Directory.Exists(study)
                ? Directory.EnumerateFiles(study, "attempts.log", SearchOption.AllDirectories).Select(Path.GetDirectoryName).OfType<string>()
                    .FirstOrDefault(d => File.ReadAllText(Path.Combine(d, "attempts.log")).Contains(node1) && CheckpointEpoch(d) >= 2)
                : null;
            Thread.Sleep(100);
        }
        Assert.True(task is not null, $"node 1 never checkpointed a task\n{cluster.Logs()}");
        cluster.Kill(1);

        var report = cluster.WaitForReport("torchcamp", TimeSpan.FromMinutes(5));
        Assert.Contains("\"complete\": true", report);
        var attempts = File.ReadAllLines(Path.Combine(task!, "attempts.log"));
        Assert.True(attempts.Length == 2, string.Join("\n", attempts));
        Assert.Contains(node1, attempts[0]);
        Assert.Contains("from scratch", attempts[0]);
        Assert.Contains($"node pid {cluster.Pid(2)} ", attempts[1]);
        var resumedAt = int.Parse(System.Text.RegularExpressions.Regex.Match(attempts[1], @"resuming at epoch (\d+)").Groups[1].Value);
        Assert.True(resumedAt >= 2, attempts[1]);
        // One history row per epoch: the second attempt continued the first instead of repeating it.
        Assert.Equal(31, File.ReadAllLines(Path.Combine(task!, "history.csv")).Length);
    }

    /// <summary>Waits until each of the given coordinators' APIs lists <paramref name="count"/> members, all up and reachable.</summary>
    private static async Task WaitForUpMembers(LocalCluster cluster, int[] coordinators, int count, TimeSpan timeout)
    {
        var token = File.ReadAllText(Path.Combine(cluster.Root, "api-token")).Trim();
        var deadline = DateTime.UtcNow + timeout;
        foreach (var i in coordinators)
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
            var seen = "its API not started";
            while (true)
            {
                try
                {
                    if (cluster.Output(i).Contains("api: http://"))
                    {
                        var nodes = (await http.GetFromJsonAsync<NodeList>(new Uri(ApiNode.ApiUrl(cluster.Output(i)), "api/nodes"), ApiJson.Options))!.Nodes;
                        seen = string.Join(", ", nodes.Select(n => $"{n.Address} {n.Status}{(n.Reachable ? "" : " unreachable")}"));
                        if (nodes.Count == count && nodes.All(n => n.Status == "up" && n.Reachable)) break;
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException) { } // its API is starting, or slow under load
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"node {i} sees [{seen}], not {count} members up, after {timeout}\n{cluster.Logs()}");
                await Task.Delay(250);
            }
        }
    }

    private static int CheckpointEpoch(string taskDir)
    {
        var state = Path.Combine(taskDir, "checkpoint", "state.json");
        try
        {
            return File.Exists(state) ? System.Text.Json.JsonDocument.Parse(File.ReadAllText(state)).RootElement.GetProperty("Epoch").GetInt32() : -1;
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException)
        {
            return -1; // being replaced
        }
    }
}
