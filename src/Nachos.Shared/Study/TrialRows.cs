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
    FailureKind? FailureKind = null);

public static class TrialRows
{
    /// <summary>Metric names a trial table can be sorted by, besides the validation metrics: the search score and the validation loss.</summary>
    public const string Score = "score";
    public const string Loss = "loss";

    public static IReadOnlyList<TrialRow> Build(IReadOnlyList<TaskView> tasks, int splits, string metric)
    {
        var rows = new List<TrialRow>();
        foreach (var trial in tasks.Where(t => !t.IsRefit).GroupBy(t => (t.Outer, Trial: t.Trial!.Value)))
        {
            var ended = trial.Where(t => t.Ended).ToList();
            var failed = ended.FirstOrDefault(t => t.State == TaskStates.Failed);
            var config = trial.Select(t => t.Config).FirstOrDefault(c => c is not null);
            var state = failed is not null ? TaskStates.Failed
                : ended.Count == splits ? TaskStates.Succeeded
                : trial.Any(t => t.State == TaskStates.Running) ? TaskStates.Running : TaskStates.Pending;
            if (state != TaskStates.Succeeded)
            {
                rows.Add(new TrialRow(trial.Key.Outer, trial.Key.Trial, config, ended.Count, splits, state, null, null, null,
                    new Dictionary<string, double?>(), failed is null ? null : $"{failed.TaskId}: {FailureKinds.Describe(failed.Kind, failed.Error)}", failed?.Kind));
                continue;
            }
            var results = ended.Select(t => t.Scores!).ToList();
            var metrics = results.SelectMany(r => r.ValidationMetrics.Keys).Distinct().Append(Loss)
                .ToDictionary(m => m, m => TrialAggregate.MeanOfDefined(results.Select(r => Value(r, m))));
            var (summary, undefined) = TrialAggregate.Score(results.Select(r => Value(r, metric)).ToList(), metric);
            rows.Add(new TrialRow(trial.Key.Outer, trial.Key.Trial, config, ended.Count, splits, state, summary?.Mean, summary?.StandardError,
                results.Average(r => r.BestEpoch), metrics, undefined));
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
        double? Key(TrialRow r) => by == Score ? r.Score : r.Metrics.GetValueOrDefault(by);
        return rows
            .OrderBy(r => Key(r) is null)
            .ThenBy(r => Key(r) is { } v ? (descending ? -v : v) : 0)
            .ThenBy(r => r.Outer).ThenBy(r => r.Trial)
            .ToList();
    }

    /// <summary>Whether a trial table of a <paramref name="task"/> study can be sorted by <paramref name="name"/>.</summary>
    public static bool IsSortKey(string name, TaskKind task) => name is Score or Loss || SpecNames.MetricsOf(task).Contains(name);

    private static double? Value(TaskScores r, string metric) => metric == Loss ? r.ValidationLoss : r.ValidationMetrics.GetValueOrDefault(metric);
}
