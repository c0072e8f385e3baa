using System.Diagnostics;
using Nachos.Shared.Proxy;
using Nachos.Shared.Spec;
using Nachos.Shared.SpecLoading;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using Nachos.Training.Data;
using Nachos.Training.Engine;
using Nachos.Training.Synth;
using static TorchSharp.torch;

namespace Nachos.Bench;

/// <summary>
/// One inner task (outer fold 0, inner split 0) on the synthetic data at 64×64, trained four ways in one process,
/// rotated per round: full, proxy data (NCC, fraction 0.3), proxy network (width 0.5, depth −1), both.
/// </summary>
public static class ProxySpeed
{
    public static int Run(string[] args)
    {
        var epochs = BenchArgs.Int(args, "--epochs", 3);
        var rounds = BenchArgs.Int(args, "--rounds", 2);
        var patients = BenchArgs.Int(args, "--patients", 100);
        var dir = BenchStudy.Data($"nachos-bench-proxy-{patients}", new SyntheticOptions(patients, 3, 64, 7));
        var both = BenchStudy.Spec(dir, $$"""
            name: bench
            task: binary
            dataset: { manifest: manifest.csv, classes: [normal, lesion], group_column: patient }
            image: { size: 64 }
            split: { scheme: kfold, outer_folds: 3, inner_folds: 3 }
            model: { architecture: resnet18, width: 0.5 }
            training: { batch_size: 32, optimizer: adam, learning_rate: 0.001, early_stopping: { enabled: false } }
            search:
              proxy: { data: { fraction: 0.3, method: ncc }, network: { width: 0.5, depth: -1 } }
            """);
        var data = DatasetLoader.Load(both);
        var plain = SplitPlanner.Plan(data.Manifest, both.Split, both.Seed);
        var clock = Stopwatch.StartNew();
        var proxied = ProxyData.Apply(plain, data.Manifest, id => data.Images[id], both.Search.Proxy!.Data!, both.Seed);
        var selection = clock.Elapsed.TotalSeconds;
        var proxy = both.Search.Proxy!;
        var variants = new (string Name, StudySpec Spec, SplitPlan Plan)[]
        {
            ("full", both with { Search = both.Search with { Proxy = null } }, plain),
            ("proxy data", both with { Search = both.Search with { Proxy = proxy with { Network = null } } }, proxied),
            ("proxy network", both with { Search = both.Search with { Proxy = proxy with { Data = null } } }, plain),
            ("both", both, proxied),
        };
        var task = TaskSpec.ForSplit("bench", 0, 0, 0, Hyperparameters.Empty, epochs, 7);
        Console.WriteLine($"torch threads {get_num_threads()}, {Environment.ProcessorCount} cores; {data.Manifest.Samples.Count} images; " +
                          $"inner split 0 of outer fold 0: {TrainingTasks.Resolve(plain, task, dir, both.Search).Train.Count} training images full, " +
                          $"{TrainingTasks.Resolve(proxied, task, dir, both.Search).Train.Count} with proxy data; selection of all 3 folds {selection:F2} s; {epochs} epochs");
        double Once(StudySpec spec, SplitPlan plan)
        {
            var work = Path.Combine(dir, "task");
            if (Directory.Exists(work)) Directory.Delete(work, true);
            var t = TrainingTasks.Resolve(plan, task, work, spec.Search);
            var c = Stopwatch.StartNew();
            new Trainer(spec, data).Run(t);
            return c.Elapsed.TotalSeconds;
        }
        Once(variants[3].Spec, variants[3].Plan); // warm-up
        var totals = new double[variants.Length];
        for (var r = 0; r < rounds; r++)
        {
            var line = new List<string>();
            for (var k = 0; k < variants.Length; k++)
            {
                var v = (r + k) % variants.Length;
                var s = Once(variants[v].Spec, variants[v].Plan);
                totals[v] += s;
                line.Add($"{variants[v].Name} {s:F1} s");
            }
            Console.WriteLine($"round {r + 1}: {string.Join(", ", line)}");
        }
        for (var v = 0; v < variants.Length; v++)
            Console.WriteLine($"{variants[v].Name}: {totals[v] / rounds:F1} s per inner task, speed-up {totals[0] / totals[v]:F2}×");
        return 0;
    }
}
