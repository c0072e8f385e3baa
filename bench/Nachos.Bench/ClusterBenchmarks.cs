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

    [GeneratedRegex(@"^(\S+Z) (\S+): (\S+) attempt (\d+) (started|succeeded|interrupted|revoked|failed)", RegexOptions.Multiline)]
    private static partial Regex TaskLine();

    private sealed record TaskEvent(DateTime At, int Node, string Device, string TaskId, string What);

    private static IEnumerable<TaskEvent> Events(int node, string output) =>
        TaskLine().Matches(output).Select(m => new TaskEvent(
            DateTime.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal),
            node, m.Groups[2].Value, m.Groups[3].Value, m.Groups[5].Value));

    /// <summary>kill -9 of a worker in the middle of its tasks: time until each lost task starts again elsewhere, and the work lost.</summary>
    public static int Failover(string[] args)
    {
        var rounds = Arg(args, "--rounds", 3);
        var leaseTimeout = Arg(args, "--lease-timeout", 10);
        using var postgres = new PostgresServer();
        var environment = new Dictionary<string, string>(LocalCluster.FastFailover) { ["NACHOS_LEASE_TIMEOUT"] = $"{leaseTimeout}s" };
        var rerun = new List<double>();
        var lost = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            using var dir = new TempDir();
            // Tasks of 1–3 s (2–6 epochs of 0.5 s).
            File.WriteAllText(dir.File("spec.yaml"), Spec(2, 2, 12, 3, 0.5, 6));
            using var cluster = new LocalCluster(dir.File("root"), postgres.CreateDatabase($"failover_{round}_{Guid.NewGuid():N}"[..30]), environment,
                ("coordinator,worker", 1), ("coordinator,worker", 1), ("worker", 2));
            cluster.StartAll();
            var submit = NachosProcess.Run(dir.Path, "submit", "spec.yaml", "--root", cluster.Root);
            if (submit.Code != 0) throw new InvalidOperationException(submit.Output + submit.Error);
            cluster.WaitForTasks(Study, 6, TimeSpan.FromMinutes(2));
            // Kill while both of the worker's devices are in a task.
            var deadline = DateTime.UtcNow.AddMinutes(1);
            while (Running(cluster.Output(2)).Count < 2 && DateTime.UtcNow < deadline) Thread.Sleep(20);
            var victims = Running(cluster.Output(2));
            var killedAt = DateTime.UtcNow;
            cluster.Kill(2);
            cluster.WaitForReport(Study, TimeSpan.FromMinutes(5));
            var later = Enumerable.Range(0, 2).SelectMany(i => Events(i, cluster.Output(i))).Where(e => e.What == "started" && e.At > killedAt).ToList();
            foreach (var (taskId, started) in victims)
            {
                var again = later.Where(e => e.TaskId == taskId).Min(e => (DateTime?)e.At)
                            ?? throw new InvalidOperationException($"{taskId} never ran again");
                rerun.Add((again - killedAt).TotalSeconds);
                lost.Add((again - started).TotalSeconds);
                Console.WriteLine($"round {round + 1}: {taskId} started {(killedAt - started).TotalSeconds:F2} s before the kill, running again elsewhere {(again - killedAt).TotalSeconds:F2} s after it");
            }
        }
        Console.WriteLine($"lease timeout {leaseTimeout} s, failure detection {LocalCluster.FastFailover["NACHOS_HEARTBEAT_PAUSE"]} heartbeat pause + {LocalCluster.FastFailover["NACHOS_SBR_STABLE_AFTER"]} stable-after");
        Console.WriteLine($"kill -9 → task running elsewhere: mean {rerun.Average():F2} s, max {rerun.Max():F2} s over {rerun.Count} tasks");
        Console.WriteLine($"work lost per task (last checkpoint = attempt start for the simulated trainer): mean {lost.Average():F2} s, max {lost.Max():F2} s");
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
        var ms = Arg(args, "--ms", 200);
        var rounds = Arg(args, "--rounds", 2);
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

    private static int Arg(string[] args, string name, int fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
