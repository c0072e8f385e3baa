using Nachos.Shared.Spec;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Study;

/// <summary>
/// One trial of an outer fold as far as its inner splits have run: the score (mean inner validation value of
/// the search metric) ± SE and the mean of every validation metric once every split has succeeded.
/// </summary>
public sealed record TrialRow(
    int Outer,
    int Trial,
    Hyperparameters? Config,
    int SplitsEnded,
    int Splits,
    string State,
    double? Score,
    double? StandardError,
    double? MeanBestEpoch,
    IReadOnlyDictionary<string, double?> Metrics,
    string? Failure,
    FailureKind? FailureKind = null,
    int? RungEpoch = null);

public static class TrialRows
{
    /// <summary>Metric names a trial table can be sorted by, besides the validation metrics: the search score and the validation loss.</summary>
    public const string Score = "score";
    public const string Loss = "loss";

    /// <summary>A trial whose latest tasks ran to a scheduler's rung: waiting for its verdict, or stopped there (the report says which).</summary>
    public const string Paused = "paused";

    /// <summary>A trial the scheduler stopped at a rung (from the report).</summary>
    public const string Stopped = "stopped";

    public static IReadOnlyList<TrialRow> Build(IReadOnlyList<TaskView> tasks, int splits, string metric)
    {
        var rows = new List<TrialRow>();
        // Under a scheduler a trial's tasks are per rung: each split's latest rung (the full training last) is where it stands.
        foreach (var trial in QueueViews.LatestPerTraining(tasks).Where(t => !t.IsRefit && !t.IsStress).GroupBy(t => (t.Outer, Trial: t.Trial!.Value)))
        {
            var budget = trial.Max(t => TaskAddress.TryParse(t.TaskId, out var a) ? a.Budget ?? int.MaxValue : int.MaxValue) is var b && b < int.MaxValue ? b : (int?)null;
            var ended = trial.Where(t => t.Ended).ToList();
            var failed = ended.FirstOrDefault(t => t.State == TaskStates.Failed);
            var config = trial.Select(t => t.Config).FirstOrDefault(c => c is not null);
            var state = failed is not null ? TaskStates.Failed
                : ended.Count == splits ? TaskStates.Succeeded
                : trial.Any(t => t.State == TaskStates.Running) ? TaskStates.Running : TaskStates.Pending;
            if (state != TaskStates.Succeeded)
            {
                rows.Add(new TrialRow(trial.Key.Outer, trial.Key.Trial, config, ended.Count, splits, state, null, null, null,
                    new Dictionary<string, double?>(), failed is null ? null : $"{failed.TaskId}: {FailureKinds.Describe(failed.Kind, failed.Error)}", failed?.Kind,
                    budget));
                continue;
            }
            var results = ended.Select(t => t.Scores!).ToList();
            var metrics = results.SelectMany(r => r.ValidationMetrics.Keys).Distinct().Append(Loss)
                .ToDictionary(m => m, m => TrialAggregate.MeanOfDefined(results.Select(r => Value(r, m))));
            var (summary, undefined) = TrialAggregate.Score(results.Select(r => Value(r, metric)).ToList(), metric);
            rows.Add(new TrialRow(trial.Key.Outer, trial.Key.Trial, config, ended.Count, splits, budget is null ? state : Paused, summary?.Mean, summary?.StandardError,
                results.Average(r => r.BestEpoch), metrics, undefined, RungEpoch: budget));
        }
        return rows;
    }

    /// <summary>Best first by <paramref name="by"/> (the score in the search's direction, the loss and distances lowest first, other metrics highest first); rows without a value last; ties by fold and trial.</summary>
    public static IReadOnlyList<TrialRow> Sort(IEnumerable<TrialRow> rows, string by, bool maximiseScore)
    {
        var descending = by switch
        {
            Score => maximiseScore,
            _ => !SpecNames.Minimised(by),
        };
        return rows
            .OrderBy(r => KeyOf(r, by) is null)
            .ThenBy(r => KeyOf(r, by) is { } v ? (descending ? -v : v) : 0)
            .ThenBy(r => r.Outer).ThenBy(r => r.Trial)
            .ToList();
    }

    /// <summary>
    /// Each trial's rank within its outer fold by <paramref name="by"/> (as <see cref="Sort"/> orders): 1 is the best; equal
    /// values share a rank and the next rank skips (1, 1, 3); a trial without a value (failed, unfinished, undefined) has none.
    /// </summary>
    public static IReadOnlyDictionary<(int Outer, int Trial), int?> Rank(IEnumerable<TrialRow> rows, string by, bool maximiseScore)
    {
        var ranks = new Dictionary<(int, int), int?>();
        foreach (var fold in Sort(rows, by, maximiseScore).GroupBy(r => r.Outer))
        {
            var position = 0;
            double? previous = null;
            int? rank = null;
            foreach (var row in fold)
            {
                position++;
                var key = KeyOf(row, by);
                if (key is null) { ranks[(row.Outer, row.Trial)] = null; continue; }
                if (key != previous) rank = position;
                previous = key;
                ranks[(row.Outer, row.Trial)] = rank;
            }
        }
        return ranks;
    }

    /// <summary>Whether a trial table of a <paramref name="task"/> study can be sorted by <paramref name="name"/>.</summary>
    public static bool IsSortKey(string name, TaskKind task) => name is Score or Loss || SpecNames.MetricsOf(task).Contains(name);

    /// <summary>A trial measured at a rung (fewer epochs) is not ranked against trials that ran to the end.</summary>
    private static double? KeyOf(TrialRow r, string by) => r.RungEpoch is not null ? null : by == Score ? r.Score : r.Metrics.GetValueOrDefault(by);

    /// <summary>A trial of a finished study's report, for the tables that read the report (it holds no validation loss or metrics).</summary>
    public static TrialRow Of(int outer, TrialResult trial) =>
        new(outer, trial.Trial, trial.Config, trial.SplitScores.Count, trial.SplitScores.Count,
            trial.Failed ? TaskStates.Failed : trial.Stopped ? Stopped : TaskStates.Succeeded,
            trial.Score, trial.StandardError, trial.Failed ? null : trial.MeanBestEpoch, new Dictionary<string, double?>(), trial.Failure,
            RungEpoch: trial.RungEpoch);

    private static double? Value(TaskScores r, string metric) => metric == Loss ? r.ValidationLoss : r.ValidationMetrics.GetValueOrDefault(metric);
}
