using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Nachos.Shared.Proxy;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using Nachos.EndToEnd.Tests;
using Nachos.Tests;

namespace Nachos.Bench;

/// <summary>
/// ASHA, and ASHA with proxy data, a proxy network and a full-size stage of the top 3 ("all three together"), against two
/// references over the same configurations (the random sampler ignores results, so every search tries the same ones): the full
/// random search as issue 15 names it, every trial trained to <c>max_epochs</c> (<c>full-budget</c>, early stopping off), and the
/// same search with early stopping (<c>full</c>, patience 3). Real TorchSharp training through <c>nachos run</c>, side by side,
/// rotating which runs first. Device-seconds are the trainer's own clock per task (from the journal's task outcomes); wall time is
/// the whole run on one device. Each search's regret is measured against each reference's own best and that best's SE.
/// </summary>
internal static class SchedulerSavings
{
    private static string Spec(int trials, int epochs, int patients, bool segmentation, bool earlyStopping, string? scheduler, string? proxy, string executor,
        string monitor) => $$"""
        name: search
        seed: 11
        {{(segmentation ? Segmentation(patients) : Classification(patients))}}
        split: { scheme: kfold, outer_folds: 2, inner_folds: 2 }
        training: { max_epochs: {{epochs}}, batch_size: {{(segmentation ? 8 : 16)}},{{(segmentation ? " loss: bce-dice," : "")}} early_stopping: {{(earlyStopping ? $"{{ monitor: {monitor}, patience: 3 }}" : $"{{ monitor: {monitor}, enabled: false }}")}} }
        search:
          sampler: random
          trials: {{trials}}
          parallelism: {{(scheduler?.Contains("cohort") == true ? trials : 4)}}
          {{(segmentation ? "metric: dice" : "")}}
          space:
            learning_rate: { type: log-uniform, low: 0.00001, high: 0.3 }
            optimizer: { type: categorical, values: [adam, sgd] }
          {{(scheduler is null ? "" : "scheduler: " + scheduler.Replace("TRIALS", $"{trials}"))}}
          {{(proxy is null ? "" : "proxy: " + proxy)}}
        execution: { trainer: torch, executor: {{executor}}, devices: 1, max_retries: 0, max_failed_trials: 1 }
        """;

    /// <summary>SimpleCNN on the lesion-detection data.</summary>
    private static string Classification(int patients) => $$"""
        task: binary
        dataset:
          synthetic: { out: /tmp/nachos-bench-scheduler-data-{{patients}}, patients: {{patients}}, sites: 2, size: 48, seed: 4 }
          classes: [normal, lesion]
        image: { size: 48 }
        model: { architecture: simple-cnn, width: 0.5 }
        """;

    /// <summary>UNet on the lesion-segmentation data, as bench/proxy-check/segmentation.yaml trains it.</summary>
    private static string Segmentation(int patients) => $$"""
        task: segmentation
        dataset:
          synthetic: { out: /tmp/nachos-bench-scheduler-segmentation-{{patients}}, patients: {{patients}}, sites: 2, size: 48, seed: 7 }
          classes: [background, lesion]
        image: { size: 48, channels: 1 }
        model: { architecture: unet, depth: 3, width: 0.5 }
        """;

    private sealed record Cost(double InnerSeconds, double RefitSeconds, int InnerEpochs, int Tasks, double Wall);

    /// <summary>A search compared: early stopping on or off, and the spec's <c>scheduler:</c> and <c>proxy:</c> lines (none for the references).</summary>
    private sealed record Search(string Name, bool Reference, bool EarlyStopping, string? Scheduler, string? Proxy, string Executor = "subprocess")
    {
        /// <summary>The search under one executor; named <c>search@executor</c> when several are compared.</summary>
        public Search Under(string executor, bool named) => this with { Name = named ? $"{Name}@{executor}" : Name, Executor = executor };
    }

    private const string Asha = "{ kind: asha, grace_period: 1, reduction_factor: 3 }";

    private static readonly Search[] Searches =
    [
        new("full-budget", true, false, null, null),
        new("full", true, true, null, null),
        new("asha", false, true, Asha, null),
        new("asha-grace3", false, true, "{ kind: asha, grace_period: 3, reduction_factor: 3 }", null),
        // Gentler halving: half of each rung goes on instead of a third.
        new("asha-eta2", false, true, "{ kind: asha, grace_period: 1, reduction_factor: 2 }", null),
        new("asha-grace3-eta2", false, true, "{ kind: asha, grace_period: 3, reduction_factor: 2 }", null),
        // ASHA as the full-budget reference trains: the trials it lets run go to max_epochs (early stopping off).
        new("asha-budget", false, false, Asha, null),
        // Synchronous successive halving: every trial judged at a rung against all 24 (one cohort), so trial 0 has no head start.
        new("sha", false, true, "{ kind: asha, grace_period: 1, reduction_factor: 3, cohort: TRIALS }", null),
        // Ranked at a rung by the learning curve's forecast at max_epochs (grace 3: a curve of 3 epochs at least), synchronous and in trial order.
        new("sha-extrapolated", false, true, "{ kind: asha, grace_period: 3, reduction_factor: 4, cohort: TRIALS, extrapolate: true }", null),
        new("asha-extrapolated", false, true, "{ kind: asha, grace_period: 3, reduction_factor: 4, extrapolate: true }", null),
        // As sha-extrapolated with early stopping off: the scheduler alone stops, and the survivors train to max_epochs.
        new("sha-extrapolated-budget", false, false, "{ kind: asha, grace_period: 3, reduction_factor: 4, cohort: TRIALS, extrapolate: true }", null),
        new("all-three", false, true, Asha, "{ data: { fraction: 0.3, method: ncc }, network: { width: 0.5, depth: -1 }, top_k: 3 }"),
    ];

    public static int Run(string[] args)
    {
        var trials = BenchArgs.Int(args, "--trials", 24);
        var epochs = BenchArgs.Int(args, "--epochs", 9);
        var rounds = BenchArgs.Int(args, "--rounds", 1);
        var patients = BenchArgs.Int(args, "--patients", 60);
        // --task segmentation: UNet on the segmentation data, scored by Dice (default: classification, AUROC).
        var task = BenchArgs.String(args, "--task", "classification");
        if (task is not ("classification" or "segmentation"))
        {
            Console.Error.WriteLine($"--task: unknown task '{task}' (known: classification, segmentation)");
            return 2;
        }
        // --trace: each search's tasks trace their phases (the trainer's NACHOS_TRAINER_TRACE), summarised after it.
        var trace = args.Contains("--trace");
        // --monitor val_auroc (or val_dice): pick each training's best epoch by the search metric instead of the validation loss.
        var monitor = BenchArgs.String(args, "--monitor", "val_loss");
        // --keep DIR: each search's spec, report.json and learning curves (history.csv) are kept there, for scheduler-replay.
        var keep = BenchArgs.String(args, "--keep", "");
        var names = BenchArgs.String(args, "--searches", "full-budget,full,asha,all-three").Split(',');
        if (names.FirstOrDefault(n => Searches.All(s => s.Name != n)) is { } unknown)
        {
            Console.Error.WriteLine($"--searches: unknown search '{unknown}' (known: {string.Join(", ", Searches.Select(s => s.Name))})");
            return 2;
        }
        // --executors subprocess,worker: each search under each executor (a process per task, or a worker per device).
        var executors = BenchArgs.String(args, "--executors", "subprocess").Split(',');
        if (executors.FirstOrDefault(e => e is not ("subprocess" or "worker")) is { } wrong)
        {
            Console.Error.WriteLine($"--executors: unknown executor '{wrong}' (known: subprocess, worker)");
            return 2;
        }
        var chosen = executors.SelectMany(e => Searches.Where(s => names.Contains(s.Name)).Select(s => s.Under(e, executors.Length > 1))).ToArray();
        using var dir = new TempDir();
        foreach (var search in chosen)
            File.WriteAllText(dir.File($"{search.Name}.yaml"), Spec(trials, epochs, patients, task == "segmentation", search.EarlyStopping, search.Scheduler, search.Proxy, search.Executor, monitor));
        Console.WriteLine($"{task}, {patients} patients, {trials} trials, 2 outer folds × 2 inner splits, max_epochs {epochs}; searches {string.Join(", ", chosen.Select(s => s.Name))}: " +
                          "full-budget trains every trial to max_epochs, the others stop early (patience 3); ASHA grace 1, η 3; all-three adds proxy data " +
                          $"(ncc 0.3), a proxy network (width 0.5, depth −1) and a full-size stage of the top 3; load {Load()}");
        for (var round = 1; round <= rounds; round++)
        {
            // Each search goes first once every chosen.Length rounds.
            var order = Enumerable.Range(0, chosen.Length).Select(i => chosen[(i + round - 1) % chosen.Length].Name).ToList();
            var costs = new Dictionary<string, (Cost Cost, StudyReport Report)>();
            foreach (var name in order)
            {
                var runDir = dir.File($"{name}-{round}");
                var traceFile = dir.File($"{name}-{round}.trace.tsv");
                var environment = trace ? new Dictionary<string, string> { ["NACHOS_TRAINER_TRACE"] = traceFile } : null;
                var clock = Stopwatch.StartNew();
                var (code, output, error) = NachosProcess.Run(TimeSpan.FromHours(2), dir.Path, environment, "run", $"{name}.yaml", "--run-dir", runDir);
                if (code != 0)
                {
                    Console.Error.WriteLine($"{name}: exit {code}\n{output}\n{error}");
                    return 1;
                }
                costs[name] = (Measure(runDir, clock.Elapsed.TotalSeconds), StudyReport.Read(Path.Combine(runDir, "report.json")));
                if (keep != "") Keep(dir.File($"{name}.yaml"), runDir, Path.Combine(keep, $"{name}-{round}"));
                Console.WriteLine($"{name} done (load {Load()})");
                if (trace)
                {
                    Console.WriteLine($"{name}, round {round}: where its tasks' seconds went");
                    TaskPhases.Summarise(traceFile);
                }
            }
            Console.WriteLine($"round {round} (order: {string.Join(", ", order)}; load {Load()})");
            foreach (var executor in executors)
            {
                // A search is compared with the references under its own executor.
                var under = chosen.Where(s => s.Executor == executor).ToList();
                var references = under.Where(s => s.Reference).Select(s => s.Name).ToList();
                Console.WriteLine("| search | inner device-s | refit device-s | inner epochs | tasks | wall s |" +
                                  string.Concat(references.Select(r => $" {r} / it: device-s | epochs | wall |")));
                Console.WriteLine("|---|---:|---:|---:|---:|---:|" + string.Concat(references.Select(_ => "---:|---:|---:|")));
                foreach (var search in under)
                {
                    var c = costs[search.Name].Cost;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {search.Name} | {c.InnerSeconds:F1} | {c.RefitSeconds:F1} | {c.InnerEpochs} | {c.Tasks} | {c.Wall:F1} |") +
                        string.Concat(references.Select(r => costs[r].Cost).Select(f => string.Create(CultureInfo.InvariantCulture,
                            $" {f.InnerSeconds / c.InnerSeconds:F2}× | {(double)f.InnerEpochs / c.InnerEpochs:F2}× | {f.Wall / c.Wall:F2}× |"))));
                }
                foreach (var reference in references)
                    Regrets(reference, costs[reference].Report, under.Where(s => s.Name != reference).Select(s => (s.Name, costs[s.Name].Report)));
            }
        }
        return 0;
    }

    /// <summary>
    /// Per outer fold, the regret of each search's choice against <paramref name="reference"/>: the reference's best score minus the
    /// reference's own score of the configuration the search chose (the search's inner score may be a rung's, a proxy's or a
    /// full-size stage's), within or outside the reference best's SE.
    /// </summary>
    private static void Regrets(string reference, StudyReport referenceReport, IEnumerable<(string Name, StudyReport Report)> searches)
    {
        var others = searches.ToList();
        foreach (var fold in referenceReport.Folds)
        {
            var best = fold.Trials.Single(t => t.Trial == fold.ChosenTrial);
            // How reproducible the reference's own ranking is: its inner splits' agreement over its trials (docs/search.md).
            var splits = ProxyCheck.SplitAgreement(fold.Trials.Where(t => !t.Failed).Select(t => t.SplitScores).ToList());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fold {fold.Outer}: {reference} best t{best.Trial} {best.Score:F4} ± {best.StandardError:F4}; " +
                $"its inner splits rank its trials alike at ρ {(splits is { } a ? $"{a.Rho:F3}" : "n/a")}"));
            foreach (var (name, report) in others)
            {
                var chosen = report.Folds.Single(f => f.Outer == fold.Outer);
                var same = fold.Trials.SingleOrDefault(t => t.Config.Equals(chosen.Config));
                var regret = best.Score - same?.Score;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {name} chose t{chosen.ChosenTrial} (its score {chosen.InnerScore:F4}; {reference}'s score of that configuration: {(same is null ? "none" : $"t{same.Trial} {same.Score:F4}")}); " +
                    $"regret vs {reference} {(regret is { } r ? $"{r:F4} {(r <= best.StandardError ? "within" : "outside")} the SE" : "unknown")}; stopped {chosen.Trials.Count(t => t.Stopped)} of {chosen.Trials.Count}"));
            }
        }
    }

    private static void Keep(string spec, string runDir, string to)
    {
        Directory.CreateDirectory(to);
        File.Copy(spec, Path.Combine(to, "spec.yaml"), overwrite: true);
        foreach (var file in Directory.EnumerateFiles(runDir, "history.csv", SearchOption.AllDirectories).Append(Path.Combine(runDir, "report.json")))
        {
            var target = Path.Combine(to, Path.GetRelativePath(runDir, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
        }
    }

    private static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    /// <summary>The trainer's seconds and epochs per task from the journal's outcomes (a rung's continuation counts only its own epochs).</summary>
    private static Cost Measure(string runDir, double wall)
    {
        using var db = new SqliteConnection($"Data Source={Path.Combine(runDir, "journal.db")};Mode=ReadOnly");
        db.Open();
        using var query = db.CreateCommand();
        query.CommandText = "SELECT message FROM journal WHERE manifest = 'task-completed.v1'";
        double inner = 0, refit = 0;
        var tasks = 0;
        var epochsByTraining = new Dictionary<string, int>();
        using var reader = query.ExecuteReader();
        while (reader.Read())
        {
            using var doc = JsonDocument.Parse((byte[])reader[0]);
            var outcome = doc.RootElement.GetProperty("Outcome");
            if (outcome.GetProperty("Result").ValueKind != JsonValueKind.Object) continue;
            var result = outcome.GetProperty("Result");
            var address = TaskAddress.Parse(outcome.GetProperty("TaskId").GetString()!);
            tasks++;
            if (address.IsRefit)
            {
                refit += result.GetProperty("Seconds").GetDouble();
                continue;
            }
            inner += result.GetProperty("Seconds").GetDouble();
            var training = address.Training.ToString();
            epochsByTraining[training] = Math.Max(epochsByTraining.GetValueOrDefault(training), result.GetProperty("EpochsRun").GetInt32());
        }
        return new Cost(inner, refit, epochsByTraining.Values.Sum(), tasks, wall);
    }
}
