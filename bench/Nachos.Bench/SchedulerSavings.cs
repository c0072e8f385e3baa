using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using Nachos.EndToEnd.Tests;
using Nachos.Tests;

namespace Nachos.Bench;

/// <summary>
/// ASHA, and ASHA with proxy data, a proxy network and a full-size stage of the top 3 ("all three together"), against
/// the full random search over the same configurations (the random sampler ignores results, so every search tries the
/// same ones): real TorchSharp training through <c>nachos run</c>, side by side, rotating which runs first. Device-seconds are the trainer's own clock per task (from the journal's task outcomes); wall time is the whole
/// run on one device.
/// </summary>
internal static class SchedulerSavings
{
    private static string Spec(int trials, int epochs, int patients, string? scheduler, string? proxy) => $$"""
        name: search
        seed: 11
        task: binary
        dataset:
          synthetic: { out: /tmp/nachos-bench-scheduler-data, patients: {{patients}}, sites: 2, size: 48, seed: 4 }
          classes: [normal, lesion]
        image: { size: 48 }
        split: { scheme: kfold, outer_folds: 2, inner_folds: 2 }
        model: { architecture: simple-cnn, width: 0.5 }
        training: { max_epochs: {{epochs}}, batch_size: 16, early_stopping: { patience: 3 } }
        search:
          sampler: random
          trials: {{trials}}
          parallelism: 4
          space:
            learning_rate: { type: log-uniform, low: 0.00001, high: 0.3 }
            optimizer: { type: categorical, values: [adam, sgd] }
          {{(scheduler is null ? "" : "scheduler: " + scheduler)}}
          {{(proxy is null ? "" : "proxy: " + proxy)}}
        execution: { trainer: torch, devices: 1, max_retries: 0, max_failed_trials: 1 }
        """;

    private sealed record Cost(double InnerSeconds, double RefitSeconds, int InnerEpochs, int Tasks, double Wall);

    /// <summary>The searches compared, by name: the spec's <c>scheduler:</c> and <c>proxy:</c> lines (none for the full search).</summary>
    private static readonly (string Name, string? Scheduler, string? Proxy)[] Searches =
    [
        ("full", null, null),
        ("asha", "{ kind: asha, grace_period: 1, reduction_factor: 3 }", null),
        ("all-three", "{ kind: asha, grace_period: 1, reduction_factor: 3 }",
            "{ data: { fraction: 0.3, method: ncc }, network: { width: 0.5, depth: -1 }, top_k: 3 }"),
    ];

    public static int Run(string[] args)
    {
        var trials = BenchArgs.Int(args, "--trials", 24);
        var epochs = BenchArgs.Int(args, "--epochs", 9);
        var rounds = BenchArgs.Int(args, "--rounds", 1);
        var patients = BenchArgs.Int(args, "--patients", 60);
        using var dir = new TempDir();
        foreach (var (name, scheduler, proxy) in Searches)
            File.WriteAllText(dir.File($"{name}.yaml"), Spec(trials, epochs, patients, scheduler, proxy));
        Console.WriteLine($"{trials} trials, 2 outer folds × 2 inner splits, max_epochs {epochs}, ASHA grace 1, η 3; all-three adds proxy data (ncc 0.3), " +
                          $"a proxy network (width 0.5, depth −1) and a full-size stage of the top 3; load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        for (var round = 1; round <= rounds; round++)
        {
            // Each search goes first once every three rounds.
            var order = Enumerable.Range(0, Searches.Length).Select(i => Searches[(i + round - 1) % Searches.Length].Name).ToList();
            var costs = new Dictionary<string, (Cost Cost, StudyReport Report)>();
            foreach (var name in order)
            {
                var runDir = dir.File($"{name}-{round}");
                var clock = Stopwatch.StartNew();
                var (code, output, error) = NachosProcess.Run(TimeSpan.FromHours(2), dir.Path, null, "run", $"{name}.yaml", "--run-dir", runDir);
                if (code != 0)
                {
                    Console.Error.WriteLine($"{name}: exit {code}\n{output}\n{error}");
                    return 1;
                }
                costs[name] = (Measure(runDir, clock.Elapsed.TotalSeconds), StudyReport.Read(Path.Combine(runDir, "report.json")));
            }
            var (full, fullReport) = costs["full"];
            Console.WriteLine($"round {round} (order: {string.Join(", ", order)}; load {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
            Console.WriteLine("| search | inner device-s | refit device-s | inner epochs | tasks | wall s | full / it, device-s | epochs | wall |");
            foreach (var (name, _, _) in Searches)
            {
                var c = costs[name].Cost;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {c.InnerSeconds:F1} | {c.RefitSeconds:F1} | {c.InnerEpochs} | {c.Tasks} | {c.Wall:F1} | {full.InnerSeconds / c.InnerSeconds:F2}× | {(double)full.InnerEpochs / c.InnerEpochs:F2}× | {full.Wall / c.Wall:F2}× |"));
            }
            foreach (var fold in fullReport.Folds)
            {
                var best = fold.Trials.Single(t => t.Trial == fold.ChosenTrial);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fold {fold.Outer}: full best t{best.Trial} {best.Score:F4} ± {best.StandardError:F4}"));
                foreach (var (name, _, _) in Searches.Skip(1))
                {
                    var chosen = costs[name].Report.Folds.Single(f => f.Outer == fold.Outer);
                    // Regret at full size: the full search's score of the configuration this search chose (its own inner
                    // score may be a proxy's or a full-size stage's on the same splits).
                    var same = fold.Trials.SingleOrDefault(t => t.Config.Equals(chosen.Config));
                    var regret = best.Score - same?.Score;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {name} chose t{chosen.ChosenTrial} (its score {chosen.InnerScore:F4}; the full search's score of that configuration: {(same is null ? "none" : $"t{same.Trial} {same.Score:F4}")}); " +
                        $"regret {(regret is { } r ? $"{r:F4} {(r <= best.StandardError ? "within" : "outside")} the SE" : "unknown")}; stopped {chosen.Trials.Count(t => t.Stopped)} of {chosen.Trials.Count}"));
                }
            }
        }
        return 0;
    }

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
