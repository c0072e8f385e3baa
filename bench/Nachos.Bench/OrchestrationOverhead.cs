using System.Diagnostics;
using System.Runtime;
using Akka.Actor;
using Nachos.Actors.Devices;
using Nachos.Actors.Entities;
using Nachos.Actors.Messages;
using Nachos.Actors.Node;
using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using Nachos.Shared.SpecLoading;

namespace Nachos.Bench;

/// <summary>
/// The orchestration's cost with the simulated trainer in-process and the SQLite journal on:
/// a study of N tasks of d ms on S device slots, overhead = makespan / (N·d/S) − 1; and with d = 0,
/// persisted task results per second, with the simulated trainer and with empty tasks (<see cref="ScoreOnlyExecutor"/>).
/// </summary>
public static class OrchestrationOverhead
{
    public static async Task<int> Run(string[] args)
    {
        var slots = BenchArgs.Int(args, "--slots", 8);
        var ms = BenchArgs.Int(args, "--ms", 200);
        var tasks = BenchArgs.Int(args, "--tasks", 1000);
        var parallelism = BenchArgs.Int(args, "--parallelism", 4);
        var (overhead, makespan, ideal, n) = await Measure(tasks, ms, slots, parallelism);
        Console.WriteLine($"{n} tasks of {ms} ms on {slots} slots, {parallelism} trials in flight per fold: makespan {makespan:F2} s, ideal N·d/S {ideal:F2} s, overhead {overhead:P2}");
        foreach (var scoreOnly in new[] { false, true })
        {
            var (_, zeroMakespan, _, zeroN) = await Measure(BenchArgs.Int(args, "--zero-tasks", 6000), 0, slots, BenchArgs.Int(args, "--zero-parallelism", 16), scoreOnly);
            Console.WriteLine($"{zeroN} tasks of 0 ms on {slots} slots ({(scoreOnly ? "empty tasks" : "simulated trainer, its scoring and files included")}): " +
                $"{zeroMakespan:F2} s, {zeroN / zeroMakespan:F0} persisted task results/s");
        }
        return 0;
    }

    /// <summary>4 outer folds × 3 inner splits; trials chosen so that trials × 12 + 4 refits ≈ the task count.</summary>
    private static async Task<(double Overhead, double Makespan, double Ideal, int Tasks)> Measure(int tasks, int ms, int slots, int parallelism, bool scoreOnly = false)
    {
        var trials = Math.Max(1, (tasks - 4) / 12);
        var n = trials * 12 + 4;
        var dir = Path.Combine(Path.GetTempPath(), "nachos-bench-orchestration-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var specPath = WriteStudy(dir, trials, parallelism, ms);
            var spec = SpecLoader.LoadFile(specPath);
            var manifest = CsvManifestReader.Read(spec.Dataset, spec.Task);
            var context = new StudyContext(spec, SplitPlanner.Plan(manifest, spec.Split, spec.Seed), manifest, Path.Combine(dir, "run"));
            var catalog = new SingleStudyCatalog(context);
            var starting = Stopwatch.StartNew();
            await using var node = await NachosNode.StartEmbedded(context.RunDir, catalog,
                scoreOnly ? new ScoreOnlyExecutor(catalog) : new SimulatedExecutor(catalog), slots,
                Environment.GetEnvironmentVariable("NACHOS_BENCH_HOCON"));
            Console.WriteLine($"  node started in {starting.Elapsed.TotalSeconds:F3} s");
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var runs = new System.Collections.Concurrent.ConcurrentQueue<(double, DeviceRanTask)>();
            node.Listen(Props.Create(() => new Listener(done, runs)), null, typeof(StudyCompleted), typeof(DeviceRanTask));
            // JIT work from the start command on (the trace prints it after the first second and at the end).
            var (jitMethods, jitTime) = (JitInfo.GetCompiledMethodCount(), JitInfo.GetCompilationTime());
            string Jit() => $"{JitInfo.GetCompiledMethodCount() - jitMethods} methods compiled, {(JitInfo.GetCompilationTime() - jitTime).TotalMilliseconds:F0} ms of JIT";
            var clock = Stopwatch.StartNew();
            node.Tell(spec.Name, new StartStudy(spec.Name, context.Brief));
            if (Environment.GetEnvironmentVariable("NACHOS_BENCH_TRACE") == "1")
                _ = Task.Run(async () =>
                {
                    while (!done.Task.IsCompleted)
                    {
                        var q = await node.Queue.Ask<QueueStatus>(GetQueueStatus.Instance, TimeSpan.FromSeconds(10));
                        Console.WriteLine($"  {clock.Elapsed.TotalSeconds,6:F3} s: pending {q.Pending}, running {q.Running}, completed {q.Completed}, failed {q.Failed}");
                        var first = clock.Elapsed.TotalSeconds < 1;
                        await Task.Delay(first ? 5 : 1000);
                        if (first && clock.Elapsed.TotalSeconds >= 1) Console.WriteLine($"  first second: {Jit()}");
                    }
                });
            await done.Task.WaitAsync(TimeSpan.FromMinutes(30));
            var makespan = clock.Elapsed.TotalSeconds;
            if (Environment.GetEnvironmentVariable("NACHOS_BENCH_TRACE") == "1")
            {
                foreach (var (t, r) in runs.Take(8).Concat(runs.TakeLast(24))) Console.WriteLine($"  {t:F3} s: {r.Device} ended {r.TaskId} after {r.Seconds:F3} s");
                Console.WriteLine($"  makespan: {Jit()}");
            }
            var ideal = n * (ms / 1000.0) / slots;
            return (ideal > 0 ? makespan / ideal - 1 : double.NaN, makespan, ideal, n);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    /// <summary>The benchmark's study in <paramref name="dir"/>: 120 samples of 60 patients, binary, 4 outer folds × 3 inner splits, a random search of <paramref name="trials"/> trials, the simulated trainer at <paramref name="ms"/> ms per epoch; returns the spec's path.</summary>
    public static string WriteStudy(string dir, int trials, int parallelism, int ms)
    {
        var rows = Enumerable.Range(0, 120).Select(p => $"p{p}.png,{(p % 2 == 0 ? "a" : "b")},P{p / 2}");
        File.WriteAllText(Path.Combine(dir, "manifest.csv"), "image,label,patient\n" + string.Join("\n", rows) + "\n");
        var specPath = Path.Combine(dir, "spec.yaml");
        File.WriteAllText(specPath, $$"""
            name: bench
            task: binary
            dataset: { manifest: manifest.csv, classes: [a, b], group_column: patient }
            split: { outer_folds: 4, inner_folds: 3 }
            training: { max_epochs: 1 }
            search:
              sampler: random
              trials: {{trials}}
              parallelism: {{parallelism}}
              space: { learning_rate: { type: log-uniform, low: 0.00001, high: 0.1 } }
            execution: { trainer: simulated, simulated: { seconds_per_epoch: {{ms / 1000.0}} } }
            """);
        return specPath;
    }

    private sealed class Listener : ReceiveActor
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public Listener(TaskCompletionSource done, System.Collections.Concurrent.ConcurrentQueue<(double, DeviceRanTask)> runs)
        {
            Receive<StudyCompleted>(_ => done.TrySetResult());
            Receive<DeviceRanTask>(r => runs.Enqueue((_clock.Elapsed.TotalSeconds, r)));
        }
    }

}
