using Nachos.Shared.Data;
using Nachos.Shared.Metrics.Segmentation;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Study;

/// <summary>The test images of one acquisition site within one outer test fold: every metric with its patient-level bootstrap 95 % CI.</summary>
/// <param name="Site">The site as the manifest names it; empty for images without one.</param>
public sealed record SiteResult(int Outer, string Site, int Images, int Patients, IReadOnlyList<MetricEstimate> Metrics)
{
    public MetricEstimate? Of(string metric) => Metrics.FirstOrDefault(m => m.Metric == metric);

    /// <summary>
    /// Per outer fold with test predictions, per site among its test images (fold, then site in ordinal order); null when no
    /// sample of the dataset has a site. Each site's metrics at its fold's decision threshold, the CI resampling its patients.
    /// </summary>
    public static IReadOnlyList<SiteResult>? Build(TaskKind task, Manifest manifest, IReadOnlyDictionary<int, IReadOnlyList<Prediction>> testPredictions,
        Func<int, double> threshold, int replicates, int seed)
    {
        if (manifest.Samples.All(s => s.Site is null)) return null;
        var metrics = task == TaskKind.Segmentation ? ImageScores.ReportMetrics(manifest.Classes) : SpecNames.MetricsOf(task);
        var result = new List<SiteResult>();
        foreach (var (outer, predictions) in testPredictions.OrderBy(kv => kv.Key))
            foreach (var site in predictions.Select(p => (Sample: manifest.ById.GetValueOrDefault(p.SampleId), Prediction: p))
                         .GroupBy(x => x.Sample?.Site ?? "").OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var images = site.Select(x => (Patient: x.Sample?.Group ?? x.Prediction.SampleId, x.Prediction)).ToList();
                result.Add(new SiteResult(outer, site.Key, images.Count, GroupEstimates.Patients(images),
                    GroupEstimates.Of(task, manifest.Classes, images, metrics, replicates, seed, threshold(outer))));
            }
        return result;
    }

    /// <summary>
    /// Whether every outer test fold was one whole site, each a different one (leave-site-out, or a fold column by site): then
    /// each row is that site as an external test set for a model that never saw it.
    /// </summary>
    public static bool AreExternal(IReadOnlyList<SiteResult> sites) =>
        sites.Count > 1 && sites.GroupBy(s => s.Outer).All(g => g.Count() == 1) && sites.Select(s => s.Site).Distinct().Count() == sites.Count;
}
