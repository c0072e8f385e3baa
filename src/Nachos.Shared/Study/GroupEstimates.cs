using Nachos.Shared.Metrics;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Study;

/// <summary>One metric on a set of images: its value and the patient-level bootstrap 95 % CI (null where undefined).</summary>
public sealed record MetricEstimate(string Metric, double? Value, double? Low, double? High);

/// <summary>
/// Every metric on one set of images with its patient-level percentile bootstrap CI (<see cref="Intervals.BootstrapMeanByGroup{T}(IReadOnlyList{IReadOnlyList{IReadOnlyList{T}}}, Func{IReadOnlyList{T}, double?[]}, int, int, int, double)"/>
/// with one stratum: patients resampled with replacement, all of a patient's images together). <c>nachos evaluate</c>'s groups and
/// the report's per-site figures.
/// </summary>
public static class GroupEstimates
{
    /// <param name="threshold">The binary decision threshold (an outer fold's own, when the spec chooses one).</param>
    public static IReadOnlyList<MetricEstimate> Of(TaskKind task, IReadOnlyList<string> classes, IReadOnlyList<(string Patient, Prediction Prediction)> images,
        IReadOnlyList<string> metrics, int replicates, int seed, double threshold = DecisionRule.DefaultThreshold)
    {
        var patients = images.GroupBy(i => i.Patient).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (IReadOnlyList<Prediction>)g.Select(i => i.Prediction).ToList()).ToList();
        var values = StudyReport.Scores(task, classes, images.Select(i => i.Prediction).ToList(), metrics, threshold);
        var cis = Intervals.BootstrapMeanByGroup([patients], items => StudyReport.Scores(task, classes, items, metrics, threshold), metrics.Count, replicates, seed);
        return metrics.Select((m, k) => new MetricEstimate(m, values[k], cis[k]?.Low, cis[k]?.High)).ToList();
    }

    /// <summary>The number of patients among <paramref name="images"/>.</summary>
    public static int Patients(IReadOnlyList<(string Patient, Prediction Prediction)> images) => images.Select(i => i.Patient).Distinct().Count();
}
