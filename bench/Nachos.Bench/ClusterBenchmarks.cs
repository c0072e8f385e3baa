using System.Globalization;
using System.Text.RegularExpressions;
using Nachos.EndToEnd.Tests;
using Nachos.Tests;

namespace Nachos.Bench;

/// <summary>
/// Benchmarks of real <c>nachos node</c> processes on loopback with a PostgreSQL journal: how fast the
/// tasks of a killed worker run again elsewhere and how much work they lose; and the orchestration
/// overhead of the 1,000 × 200 ms study on 3 nodes (PostgreSQL) against one embedded node (SQLite).
/// </summary>
public static partial class ClusterBenchmarks
{
    private const string Study = "bench";

    private static string Spec(int outer, int inner, int trials, int parallelism, double secondsPerEpoch, int maxEpochs) => $$"""
        name: {{Study}}
        seed: 4
        task: binary
        dataset:
          synthetic: { out: data, patients: 60, sites: 2, size: 16, seed: 3 }
          classes: [normal, lesion]
        image: { size: 16 }
        split: { scheme: kfold, outer_folds: {{outer}}, inner_folds: {{inner}} }
        training: { max_epochs: {{maxEpochs}} }
        search:
          sampler: random
          trials: {{trials}}
          parallelism: {{parallelism}}
          space: { learning_rate: { type: log-uniform, low: 0.00001, high: 0.1 } }
        execution: { trainer: simulated, simulated: { seconds_per_epoch: {{secondsPerEpoch.ToString(CultureInfo.InvariantCulture)}} } }
        """;

    /// <summary>Real TorchSharp training in child processes (which checkpoint at the current batch when their node dies).</summary>
    private static string TorchSpec() => $$"""
        name: {{Study}}
        seed: 4
        task: binary
        dataset:
          synthetic: { out: data, patients: 80, sites: 2, size: 32, seed: 3 }
          classes: [normal, lesion]
        image: { size: 32 }
        split: { scheme: kfold, outer_folds: 2, inner_folds: 2 }
        training: { max_epochs: 10, batch_size: 8 }
        search:
          sampler: random
          trials: 3
          parallelism: 2
          space: { learning_rate: { type: log-uniform, low: 0.0003, high: 0.003 } }
        execution: { trainer: torch, executor: subprocess, max_retries: 2 }
        """;

    [GeneratedRegex(@"^(\S+Z) (\S+): (\S+) attempt (\d+) (started|succeeded|interrupted|revoked|failed)", RegexOptions.Multiline)]
    private static partial Regex TaskLine();

    private sealed record TaskEvent(DateTime At, int Node, string Device, string TaskId, string What);

    private static IEnumerable<TaskEvent> Events(int node, string output) =>
        TaskLine().Matches(output).Select(m => new TaskEvent(
            DateTime.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            node, m.Groups[2].Value, m.Groups[3].Value, m.Groups[5].Value));

    /// <summary>
    /// kill -9 of a worker in the middle of its tasks: time until each lost task starts again elsewhere, and the
    /// work lost. <c>--trainer torch</c>: real training, whose child processes checkpoint when their node is gone.
    /// </summary>
    public static int Failover(string[] args)
    {
        var rounds = BenchArgs.Int(args, "--rounds", 3);
        var leaseTimeout = BenchArgs.Int(args, "--lease-timeout", 10);
        var trainer = Array.IndexOf(args, "--trainer") is var t and >= 0 && t + 1 < args.Length ? args[t + 1] : "simulated";
        if (trainer is not ("simulated" or "torch")) throw new ArgumentException($"--trainer {trainer}: expected simulated or torch");
        var torch = trainer == "torch";
        using var postgres = new PostgresServer();
        var environment = new Dictionary<string, string>(LocalCluster.FastFailover) { ["NACHOS_LEASE_TIMEOUT"] = $"{leaseTimeout}s" };
        var rerun = new List<double>();
        var lost = new List<double>();
        var withoutCheckpoint = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            using var dir = new TempDir();
            // Simulated: tasks of 1–3 s (2–6 epochs of 0.5 s), no checkpoints. Torch: tasks of several seconds.
            File.WriteAllText(dir.File("spec.yaml"), torch ? TorchSpec() : Spec(2, 2, 12, 3, 0.5, 6));
            var workerDevices = torch ? 1 : 2;
            using var cluster = new LocalCluster(dir.File("root"), postgres.CreateDatabase($"failover_{round}_{Guid.NewGuid():N}"[..30]), environment,
                ("coordinator,worker", 1), ("coordinator,worker", 1), ("worker", workerDevices));
            cluster.StartAll();
            var submit = NachosProcess.Run(dir.Path, "submit", "spec.yaml", "--root", cluster.Root);
            if (submit.Code != 0) throw new InvalidOperationException(submit.Output + submit.Error);
            cluster.WaitForTasks(Study, torch ? 2 : 6, TimeSpan.FromMinutes(torch ? 10 : 2));
            // Kill while each of the worker's devices is in a task (with real training: 3 s into it, past its first batches).
            var deadline = DateTime.UtcNow.AddMinutes(2);
            bool Ready(List<(string TaskId, DateTime Started)> running) =>
                running.Count >= workerDevices && (!torch || running.All(r => DateTime.UtcNow - r.Started > TimeSpan.FromSeconds(3)));
            while (!Ready(Running(cluster.Output(2))) && DateTime.UtcNow < deadline) Thread.Sleep(20);
            var victims = Running(cluster.Output(2));
            var killedAt = DateTime.UtcNow;
            cluster.Kill(2);
            cluster.WaitForReport(Study, TimeSpan.FromMinutes(torch ? 20 : 5));
            var survivors = Enumerable.Range(0, 2).SelectMany(i => Events(i, cluster.Output(i))).Where(e => e.At > killedAt).ToList();
            var later = survivors.Where(e => e.What == "started").ToList();
            // The lease expires after its timeout; with every other device busy the task then also waits for one to end its task.
            var requeuedBy = killedAt.AddSeconds(leaseTimeout);
            var deviceFree = survivors.Where(e => e.What != "started" && e.At > requeuedBy).Min(e => (DateTime?)e.At);
            foreach (var (taskId, started) in victims)
            {
                var again = later.Where(e => e.TaskId == taskId).Min(e => (DateTime?)e.At)
                            ?? throw new InvalidOperationException($"{taskId} never ran again");
                rerun.Add((again - killedAt).TotalSeconds);
                withoutCheckpoint.Add((again - started).TotalSeconds);
                var resumed = "";
                if (torch)
                {
                    // The retry's line in attempts.log says where it resumed; the checkpoint was written at the kill
                    // (the child stops at its next batch once its node is gone), so no training is redone.
                    var log = File.ReadAllLines(Path.Combine(cluster.StudyDir(Study), taskId[(Study.Length + 1)..], "attempts.log"));
                    resumed = log.Length > 1 ? log[1][(log[1].LastIndexOf(": ", StringComparison.Ordinal) + 2)..] : "(no retry logged)";
                    lost.Add(resumed.StartsWith("resuming", StringComparison.Ordinal) ? (again - killedAt).TotalSeconds : (again - started).TotalSeconds);
                }
                else lost.Add((again - started).TotalSeconds); // the simulated trainer does not checkpoint
                Console.WriteLine($"round {round + 1}: {taskId} started {(killedAt - started).TotalSeconds:F2} s before the kill, running again elsewhere {(again - killedAt).TotalSeconds:F2} s after it (first device free after the lease timeout: {(deviceFree - killedAt)?.TotalSeconds:F2} s){(torch ? $", {resumed}" : "")}");
            }
        }
        Console.WriteLine($"trainer {(torch ? "torch (subprocess)" : "simulated")}, lease timeout {leaseTimeout} s, failure detection {LocalCluster.FastFailover["NACHOS_HEARTBEAT_PAUSE"]} heartbeat pause + {LocalCluster.FastFailover["NACHOS_SBR_STABLE_AFTER"]} stable-after");
        Console.WriteLine($"kill -9 → task running elsewhere: mean {rerun.Average():F2} s, max {rerun.Max():F2} s over {rerun.Count} tasks");
        Console.WriteLine($"work lost per task: mean {lost.Average():F2} s, max {lost.Max():F2} s (from scratch it would be: mean {withoutCheckpoint.Average():F2} s, max {withoutCheckpoint.Max():F2} s)");
        return 0;
    }

    /// <summary>Tasks the node started and has not ended, with their start times.</summary>
    private static List<(string TaskId, DateTime Started)> Running(string output)
    {
        var events = Events(2, output).ToList();
        return events.Where(e => e.What == "started" && !events.Any(o => o.TaskId == e.TaskId && o.What != "started" && o.At >= e.At))
            .Select(e => (e.TaskId, e.At)).ToList();
    }

    /// <summary>The orchestration benchmark's 1,000 × 200 ms study on 3 node processes with PostgreSQL vs 1 node process with SQLite.</summary>
    public static int Overhead(string[] args)
    {
        var ms = BenchArgs.Int(args, "--ms", 200);
        var rounds = BenchArgs.Int(args, "--rounds", 2);
        const int trials = 83, slots = 8;
        var tasks = 4 * 3 * trials + 4;
        var ideal = tasks * ms / 1000.0 / slots;
        using var postgres = new PostgresServer();
        var results = new List<(string Setup, double Makespan)>();
        for (var round = 0; round < rounds; round++)
        {
            foreach (var setup in new[] { "sqlite-1-node", "postgres-3-nodes" })
            {
                using var dir = new TempDir();
                // One epoch per task: exactly d per task.
                File.WriteAllText(dir.File("spec.yaml"), Spec(4, 3, trials, 4, ms / 1000.0, 1));
                var sqlite = setup.StartsWith("sqlite", StringComparison.Ordinal);
                using var cluster = new LocalCluster(dir.File("root"),
                    sqlite ? "" : postgres.CreateDatabase($"overhead_{round}_{Guid.NewGuid():N}"[..30]),
                    LocalCluster.FastFailover,
                    sqlite ? [("coordinator,worker", slots)] : [("coordinator,worker", 3), ("coordinator,worker", 3), ("worker", 2)]);
                cluster.StartAll();
                var submit = NachosProcess.Run(dir.Path, "submit", "spec.yaml", "--root", cluster.Root);
                if (submit.Code != 0) throw new InvalidOperationException(submit.Output + submit.Error);
                cluster.WaitForReport(Study, TimeSpan.FromMinutes(10));
                Thread.Sleep(500); // the completion line follows the report
                var events = Enumerable.Range(0, sqlite ? 1 : 3).SelectMany(i => Events(i, cluster.Output(i))).ToList();
                var first = events.Where(e => e.What == "started").Min(e => e.At);
                var last = events.Where(e => e.What == "succeeded").Max(e => e.At);
                var makespan = (last - first).TotalSeconds;
                results.Add((setup, makespan));
                Console.WriteLine($"round {round + 1} {setup}: {tasks} tasks of {ms} ms on {slots} slots: first task start to last task end {makespan:F2} s (ideal {ideal:F2} s), overhead {makespan / ideal - 1:P2}");
            }
        }
        var pg = results.Where(r => r.Setup.StartsWith("postgres", StringComparison.Ordinal)).Average(r => r.Makespan);
        var lite = results.Where(r => r.Setup.StartsWith("sqlite", StringComparison.Ordinal)).Average(r => r.Makespan);
        Console.WriteLine($"mean overhead: PostgreSQL 3 nodes {pg / ideal - 1:P2}, SQLite 1 node {lite / ideal - 1:P2}; makespan ratio PostgreSQL/SQLite {pg / lite:F3}");
        return 0;
    }

}
