using Nachos.Shared.Predictions;

namespace Nachos.Shared.Registry;

/// <summary>
/// A registered model's metrics per site of its evaluation set: when the predictions file has a <see cref="Column"/>
/// column (e.g. the hospital each image came from), each site's images are scored alone, exactly as the whole set is
/// (<see cref="ModelEvaluation.MetricsOf"/>, at the model's threshold).
/// </summary>
public static class SiteMetrics
{
    /// <summary>The predictions column that names each image's site.</summary>
    public const string Column = "site";

    /// <summary>Per site (ordinal order), its metrics; empty when the evaluation has no site column, or no row names a site.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, double?>> Of(ModelEvaluation evaluation)
    {
        var bySite = evaluation.Rows
            .Select(r => (Row: r, Site: r.Extra?.GetValueOrDefault(Column)))
            .Where(t => !string.IsNullOrEmpty(t.Site))
            .GroupBy(t => t.Site!, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        var result = new SortedDictionary<string, IReadOnlyDictionary<string, double?>>(StringComparer.Ordinal);
        foreach (var site in bySite)
        {
            var rows = site.Select(t => t.Row).ToList();
            var extra = rows.SelectMany(r => r.Extra?.Keys ?? []).Distinct().ToList();
            result[site.Key] = ModelEvaluation.MetricsOf(evaluation.Task, evaluation.Classes, new PredictionsTable(evaluation.Classes, extra, rows), evaluation.Threshold);
        }
        return result;
    }
}
