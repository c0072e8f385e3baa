using System.Globalization;
using Nachos.Shared.SpecLoading;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using Nachos.Training.Data;
using Nachos.Training.Engine;
using Nachos.Training.Synth;
using Nachos.Tests;

namespace Nachos.Bench;

/// <summary>
/// Where an inner task's seconds go inside the trainer clock (the trainer's <c>NACHOS_TRAINER_TRACE</c>), in one process on the
/// scheduler benchmark's data and model: per round, one inner task trained from scratch to its end (early stopping, patience 3)
/// and one training run as ASHA's rungs do (epochs 1, then 3, then 9, then to its end, each a task continuing the last one's
/// checkpoint). The process's first task is cold (its code not yet compiled), as every task of a <c>nachos task</c> child is.
/// </summary>
internal static class TaskPhases
{
    public static int Run(string[] args)
    {
        var rounds = BenchArgs.Int(args, "--rounds", 3);
        var patients = BenchArgs.Int(args, "--patients", 120);
        var epochs = BenchArgs.Int(args, "--epochs", 27);
        using var work = new TempDir();
        var trace = work.File("trace.tsv");
        // Read once by the trainer, before its first run.
        Environment.SetEnvironmentVariable("NACHOS_TRAINER_TRACE", trace);
        var spec = BenchStudy.Spec(BenchStudy.Data($"nachos-bench-phases-{patients}", new SyntheticOptions(patients, 2, 48, 4)), $$"""
            name: bench
            seed: 11
            task: binary
            dataset: { manifest: manifest.csv, classes: [normal, lesion], group_column: patient }
            image: { size: 48 }
            split: { scheme: kfold, outer_folds: 2, inner_folds: 2 }
            model: { architecture: simple-cnn, width: 0.5 }
            training: { max_epochs: {{epochs}}, batch_size: 16, optimizer: adam, learning_rate: 0.001, early_stopping: { patience: 3 } }
            """);
        var data = DatasetLoader.Load(spec);
        var plan = SplitPlanner.Plan(data.Manifest, spec.Split, spec.Seed);
        Console.WriteLine($"{data.Manifest.Samples.Count} images, {plan.Fold(0).Inner[0].Train.Count} training and {plan.Fold(0).Inner[0].Validation.Count} " +
                          $"validation images per inner task; max_epochs {epochs}; load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        for (var round = 0; round < rounds; round++)
        {
            var runDir = work.File($"r{round}");
            TrainingTask Task(int trial, int? budget) =>
                TrainingTasks.Resolve(plan, TaskSpec.ForSplit("bench", 0, trial, 0, Hyperparameters.Empty, epochs, spec.Seed, budget), runDir, spec.Search);
            new Trainer(spec, data).Run(Task(0, null));
            foreach (var budget in new int?[] { 1, 3, 9, null }) new Trainer(spec, data).Run(Task(1, budget));
        }
        Summarise(trace);
        return 0;
    }

    private sealed record Line(string TaskId, bool Cold, double SinceStart, int FromEpoch, int Epochs, double Seconds, IReadOnlyList<(string Phase, double Seconds)> Phases)
    {
        public string Kind
        {
            get
            {
                var address = TaskAddress.Parse(TaskId);
                var kind = address.IsRefit ? "refit" : FromEpoch > 0 ? "continuation" : address.Budget is not null ? "first rung" : "from scratch to the end";
                return Cold ? kind + " (cold)" : kind;
            }
        }
    }

    /// <summary>
    /// Per kind of task (from scratch to its end, a first rung, a continuation, a refit; cold or warm): the mean trainer seconds,
    /// epochs and seconds per phase; the fixed cost is the trainer seconds outside epochs, and a run's first epoch (in a new process, the
    /// first to compile the loop's code) is shown apart from the later ones.
    /// </summary>
    public static void Summarise(string traceFile)
    {
        if (!File.Exists(traceFile))
        {
            Console.WriteLine($"{traceFile}: no trace (no task ran)");
            return;
        }
        var lines = File.ReadAllLines(traceFile).Select(Parse).ToList();
        var phases = lines.SelectMany(l => l.Phases.Select(p => p.Phase)).Distinct().ToList();
        Console.WriteLine("| kind | tasks | s from process start to trainer | trainer s | epochs | fixed s (outside epochs) | first epoch s | s per later epoch | " +
                          string.Join(" | ", phases) + " |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|" + string.Concat(phases.Select(_ => "---:|")));
        foreach (var group in lines.GroupBy(l => l.Kind).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            double Mean(Func<Line, double> f) => group.Average(f);
            double Sum(Line l, string prefix) => l.Phases.Where(p => p.Phase.StartsWith(prefix, StringComparison.Ordinal)).Sum(p => p.Seconds);
            var first = Mean(l => Sum(l, "first-epoch-"));
            var later = group.Sum(l => Sum(l, "epoch-"));
            var laterEpochs = group.Sum(l => Math.Max(0, l.Epochs - 1));
            var cells = phases.Select(p => Mean(l => l.Phases.Where(x => x.Phase == p).Sum(x => x.Seconds))).Select(s => s.ToString("F4", CultureInfo.InvariantCulture));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {group.Key} | {group.Count()} | {Mean(l => l.SinceStart):F3} | {Mean(l => l.Seconds):F3} | {Mean(l => l.Epochs):F1} | " +
                $"{Mean(l => l.Seconds - Sum(l, "first-epoch-") - Sum(l, "epoch-")):F3} | {first:F3} | {(laterEpochs > 0 ? later / laterEpochs : 0):F3} | {string.Join(" | ", cells)} |"));
        }
    }

    private static Line Parse(string text)
    {
        var f = text.Split('\t');
        var phases = f[6..].Select(p => p.Split('=')).Select(p => (p[0], double.Parse(p[1], CultureInfo.InvariantCulture))).ToList();
        return new Line(f[0], f[1] == "cold", double.Parse(f[2], CultureInfo.InvariantCulture), int.Parse(f[3], CultureInfo.InvariantCulture), int.Parse(f[4], CultureInfo.InvariantCulture),
            double.Parse(f[5], CultureInfo.InvariantCulture), phases);
    }
}
