using Nachos.Shared.Study;

namespace Nachos.Shared.Bundle;

/// <summary>
/// What a bundled model is expected to do: the study's NACHOS estimate, each outer fold's refit evaluated once on its
/// own test fold, summarised across folds (mean, 95 % t-interval, patient bootstrap interval). Never a figure measured
/// on the bundled model's own training data.
/// </summary>
/// <param name="Complete">False when the study's report is incomplete (a failed fold, an unusable artifact).</param>
public sealed record ExpectedPerformance(string Source, int Folds, bool Complete, IReadOnlyList<ExpectedMetric> Metrics)
{
    public static ExpectedPerformance From(StudyReport report) => new(
        $"NACHOS estimate of study {report.StudyId}: outer test folds, mean and 95 % t-interval across folds, patient bootstrap interval",
        report.Folds.Count, report.Complete,
        report.Metrics.Select(m => new ExpectedMetric(m.Metric, m.Summary?.Mean, m.Summary?.CiLow, m.Summary?.CiHigh,
            m.BootstrapLow, m.BootstrapHigh, m.PerFold)).ToList());
}

/// <summary>One metric of the estimate; null where undefined (e.g. AUROC of a fold with one class).</summary>
public sealed record ExpectedMetric(string Metric, double? Mean, double? CiLow, double? CiHigh, double? BootstrapLow, double? BootstrapHigh,
    IReadOnlyList<double?> PerFold);
