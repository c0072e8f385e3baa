using System.Globalization;
using Nachos.Shared.Spec;
using Nachos.Shared.SpecLoading;
using Nachos.Shared.Study;

namespace Nachos.Bench;

/// <summary>
/// Replays scheduler rules on a full-budget search's learning curves, without training: the fold's own decision code
/// (<see cref="FoldState"/>, <see cref="Nachos.Shared.Search.RungSchedule"/>) is driven with each trial's score at a rung read from
/// its splits' history.csv (the metric at the best epoch so far by the early-stopping monitor, as the trainer keeps it), and a trial that runs to
/// the end gets the full-budget score. An estimate: a real rung task ends with its own validation pass, and a survivor trained with
/// early stopping ends where that stops; it counts epochs, not seconds. It shows which rule would choose what on the same curves.
/// </summary>
internal static class SchedulerReplay
{
    public static int Run(string[] args)
    {
        if (args.Length < 1 || !File.Exists(Path.Combine(args[0], "spec.yaml")))
        {
            Console.Error.WriteLine("usage: scheduler-replay DIR (a full-budget search kept by scheduler --keep: its spec.yaml, report.json and history.csv files)");
            return 2;
        }
        var runDir = args[0];
        var spec = SpecLoader.LoadFile(Path.Combine(runDir, "spec.yaml"));
        var report = StudyReport.Read(Path.Combine(runDir, "report.json"));
        var maxEpochs = spec.Training.MaxEpochs;
        Console.WriteLine($"{runDir}: max_epochs {maxEpochs}, metric {spec.Search.Metric}; regret against the full-budget best and its SE; epochs per split summed over trials");
        Console.WriteLine("| rule | fold | chosen | regret (SE) | ran to the end | epochs | full-budget / it: epochs |");
        Console.WriteLine("|---|---|---|---|---|---:|---:|");
        var rules = new[] { (1, 3), (1, 2), (2, 3), (3, 3), (3, 2) }.SelectMany(g => new[] { 1, spec.Search.Trials }.Select(c => (g.Item1, g.Item2, c, false)))
            .Concat([(3, 3, 1, true), (3, 4, 1, true), (3, 3, spec.Search.Trials, true), (3, 2, spec.Search.Trials, true), (3, 4, spec.Search.Trials, true),
                (3, 5, spec.Search.Trials, true), (3, 6, spec.Search.Trials, true), (4, 2, spec.Search.Trials, true)]);
        var histories = new Histories(runDir);
        foreach (var (grace, eta, cohort, extrapolate) in rules)
        {
            var scheduler = new SchedulerSpec(SchedulerKind.Asha, grace, eta, 1, 3, 1, Cohort: cohort, Extrapolate: extrapolate);
            var search = spec.Search with { Scheduler = scheduler, Parallelism = spec.Search.Trials };
            foreach (var fold in report.Folds)
            {
                var splits = fold.Trials[0].SplitScores.Count;
                var (state, epochs) = Drive(histories, search, spec, fold, splits);
                var chosen = fold.Trials.Single(t => t.Trial == state.Refit!.Trial);
                var best = fold.Trials.Single(t => t.Trial == fold.ChosenTrial);
                var regret = best.Score!.Value - chosen.Score!.Value;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| grace {grace}, η {eta}, {(cohort == 1 ? "trial order" : "synchronous")}{(extrapolate ? ", extrapolated" : "")} | {fold.Outer} | t{chosen.Trial} | {regret:F4} ({best.StandardError:F4}, {(regret <= best.StandardError ? "within" : "outside")}) | " +
                    $"{state.Finished.Values.Count(t => !t.Stopped)} | {epochs} | {(double)fold.Trials.Count * maxEpochs * splits / epochs:F2}× |"));
            }
        }
        return 0;
    }

    private static (FoldState Fold, int Epochs) Drive(Histories histories, SearchSpec search, StudySpec spec, FoldResult reference, int splits)
    {
        var fold = FoldState.Empty.Apply(new FoldStarted("replay", reference.Outer, search.Trials, search.Parallelism, splits, spec.Training.MaxEpochs,
            spec.Seed, search.Metric, search.Maximise, 1.0, search, 0));
        var sampler = fold.Sampler();
        var epochs = 0;
        while (fold.Refit is null && !fold.Done)
        {
            foreach (var e in fold.Decide(sampler)) fold = fold.Apply(e);
            if (fold.Refit is not null || fold.Done) break;
            var n = fold.Running.First(n => !fold.RungResults.ContainsKey((n, fold.RungOf(n))));
            var request = fold.TrialRequest(n);
            var full = reference.Trials.Single(t => t.Trial == n);
            if (!full.Config.Equals(request.Config)) throw new InvalidOperationException($"trial {n}: the replay's configuration is not the run's");
            var budget = request.Budget();
            var from = request.Rung == 0 ? 0 : request.Rungs![request.Rung - 1];
            epochs += splits * ((budget ?? spec.Training.MaxEpochs) - from);
            var result = budget is { } b
                ? Rung(histories, reference.Outer, full, b, search.Metric, spec.Training.EarlyStopping.Monitor)
                : full;
            fold = fold.Apply(fold.Accept(result with { RungEpoch = budget })!);
        }
        return (fold, epochs);
    }

    /// <summary>
    /// A trial's result at a rung: per split, the metric at the best epoch by the spec's early-stopping monitor up to the rung, and their
    /// mean; and the splits' mean curve up to the rung, as a real rung reports them (an extrapolating scheduler ranks by it).
    /// </summary>
    private static TrialResult Rung(Histories histories, int outer, TrialResult full, int rung, string metric, string monitor)
    {
        var splits = new List<double?>();
        var curves = new List<IReadOnlyList<double?>?>();
        for (var j = 0; j < full.SplitScores.Count; j++)
        {
            var (header, all) = histories.Of(outer, full.Trial, j);
            int monitored = Array.IndexOf(header, monitor), score = Array.IndexOf(header, $"val_{metric}");
            var rows = all.Take(rung).ToList();
            // The trainer's best epoch: the first with the best monitored value (the loss and distances lowest, the rest highest).
            var sign = monitor == "val_loss" || SpecNames.Minimised(monitor[4..]) ? 1 : -1;
            var best = rows.OrderBy(r => double.TryParse(r[monitored], CultureInfo.InvariantCulture, out var m) ? sign * m : double.PositiveInfinity).First();
            splits.Add(double.TryParse(best[score], CultureInfo.InvariantCulture, out var v) ? v : null);
            curves.Add(rows.Select(r => double.TryParse(r[score], CultureInfo.InvariantCulture, out var x) ? x : (double?)null).ToList());
        }
        var defined = splits.Where(s => s is not null).Select(s => s!.Value).ToList();
        double? mean = defined.Count == splits.Count ? defined.Average() : null;
        return full with { Score = mean, SplitScores = splits, Curve = TrialAggregate.MeanCurve(curves) };
    }

    /// <summary>Each split's history.csv, read once: its header and rows.</summary>
    private sealed class Histories(string runDir)
    {
        private readonly Dictionary<(int, int, int), (string[] Header, string[][] Rows)> read = [];

        public (string[] Header, string[][] Rows) Of(int outer, int trial, int split)
        {
            if (read.TryGetValue((outer, trial, split), out var history)) return history;
            var lines = File.ReadAllLines(Path.Combine(runDir, $"o{outer}", $"t{trial}", $"s{split}", "history.csv"));
            return read[(outer, trial, split)] = (lines[0].Split(','), lines.Skip(1).Select(l => l.Split(',')).ToArray());
        }
    }
}
