using System.Diagnostics;
using Nachos.Actors.Devices;
using Nachos.Actors.Entities;
using Nachos.Shared.Data;
using Nachos.Shared.SpecLoading;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Bench;

/// <summary>
/// What one 0-ms task of <see cref="OrchestrationOverhead"/>'s simulated-trainer figure costs its device, without the cluster:
/// <see cref="SimulatedExecutor"/> run on one thread over the same study's inner tasks (resolving the task, scoring its
/// samples, every metric, its folder and predictions file), process CPU time and wall time per task, median of the rounds.
/// Each round writes into a fresh run directory below <c>--dir</c>; the directories are removed at the end only.
/// </summary>
public static class SimulatedTaskCost
{
    public static int Run(string[] args)
    {
        var rounds = BenchArgs.Int(args, "--rounds", 7);
        var tasks = BenchArgs.Int(args, "--tasks", 3000);
        var root = Path.Combine(BenchArgs.String(args, "--dir", Path.GetTempPath()), "nachos-bench-sim-task-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            var spec = SpecLoader.LoadFile(OrchestrationOverhead.WriteStudy(root, (tasks - 1) / 12 + 1, 16, 0));
            var manifest = CsvManifestReader.Read(spec.Dataset, spec.Task);
            var plan = SplitPlanner.Plan(manifest, spec.Split, spec.Seed);
            var space = new Random(spec.Seed);
            var specs = Enumerable.Range(0, tasks).Select(i => TaskSpec.ForSplit(spec.Name, i % 4, i / 12, i / 4 % 3,
                Hyperparameters.Empty.With("learning_rate", Math.Pow(10, -5 + 4 * space.NextDouble())), 1, spec.Seed)).ToList();
            var cpu = new List<double>();
            var wall = new List<double>();
            for (var round = 0; round <= rounds; round++)
            {
                var executor = new SimulatedExecutor(new SingleStudyCatalog(new StudyContext(spec, plan, manifest, Path.Combine(root, $"run{round}"))));
                GC.Collect();
                var process = Process.GetCurrentProcess();
                var cpu0 = process.TotalProcessorTime;
                var clock = Stopwatch.StartNew();
                foreach (var task in specs) executor.Run(task, 1, "cpu0", _ => { }, CancellationToken.None);
                var elapsed = clock.Elapsed;
                process.Refresh();
                if (round == 0) continue; // warm-up: JIT and tiering
                cpu.Add((process.TotalProcessorTime - cpu0).TotalMicroseconds / tasks);
                wall.Add(elapsed.TotalMicroseconds / tasks);
                Console.WriteLine($"round {round}: {cpu[^1]:F1} µs CPU, {wall[^1]:F1} µs wall per task");
            }
            Console.WriteLine($"{tasks} simulated 0-ms tasks × {rounds} rounds in {root}: median {Median(cpu):F1} µs CPU, {Median(wall):F1} µs wall per task");
            return 0;
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}
