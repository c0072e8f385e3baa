using Nachos.Shared.Study;
using Nachos.Shared.Spec;
using Nachos.Shared.Tasks;

namespace Nachos.Host.Dashboard;

/// <summary>
/// One row of the leaderboard: a trial of an outer fold (its inner validation metrics, averaged over its inner
/// splits) or a fold's refit (its outer test metrics, as the report holds them). A trial's rank is within its fold, by its score.
/// </summary>
public sealed record LeaderboardRow(
    int Outer,
    int? Trial,
    bool Chosen,
    int? Rank,
    IReadOnlyDictionary<string, string> Parameters,
    string Set,
    double? Score,
    double? ScoreStandardError,
    double? Epochs,
    IReadOnlyDictionary<string, double?> Metrics,
    IReadOnlyList<TaskAddress> Models,
    string? Failure)
{
    public bool IsRefit => Trial is null;
}

public static class Leaderboard
{
    public const string InnerValidation = "inner validation";
    public const string OuterTest = "outer test";

    /// <summary>Every hyperparameter of any row, A–Z: a column each.</summary>
    public static IReadOnlyList<string> Parameters(IEnumerable<LeaderboardRow> rows) =>
        rows.SelectMany(r => r.Parameters.Keys).Distinct().Order(StringComparer.Ordinal).ToList();

    /// <summary>Every trial of every outer fold, then the fold's refit, fold by fold.</summary>
    public static IReadOnlyList<LeaderboardRow> Build(StudyRun run)
    {
        var rows = new List<LeaderboardRow>();
        var names = SpecNames.MetricsOf(run.Spec.Task);
        var ranks = TrialRows.Rank(run.Report.Folds.SelectMany(f => f.Trials.Select(t => TrialRows.Of(f.Outer, t))), TrialRows.Score, run.Spec.Search.Maximise);
        foreach (var fold in run.Report.Folds)
        {
            foreach (var trial in fold.Trials.OrderBy(t => t.Trial))
            {
                var models = run.Models.Where(m => m.Outer == fold.Outer && m.Trial == trial.Trial).ToList();
                var metrics = names.ToDictionary(name => name, name => trial.Failed ? null : TrialAggregate.MeanOfDefined(models.Select(m => run.Model(m).Primary?.Metrics.GetValueOrDefault(name))));
                rows.Add(new LeaderboardRow(fold.Outer, trial.Trial, trial.Trial == fold.ChosenTrial, ranks[(fold.Outer, trial.Trial)], trial.Config.Values, InnerValidation,
                    trial.Score, trial.StandardError, trial.Failed ? null : trial.MeanBestEpoch, metrics, models, trial.Failure));
            }
            if (fold.Config is not null)
            {
                var refit = TaskAddress.Refit(run.StudyId, fold.Outer);
                rows.Add(new LeaderboardRow(fold.Outer, null, true, null, fold.Config.Values, OuterTest, null, null, fold.RefitEpochs,
                    names.ToDictionary(name => name, name => fold.TestMetrics.GetValueOrDefault(name)),
                    run.Models.Contains(refit) ? [refit] : [], fold.Failure));
            }
        }
        return rows;
    }
}
