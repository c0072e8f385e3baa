using Nachos.Shared.Bundle;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Registry;

/// <summary>
/// A model version in the registry: its task name and version there (1, 2, … per task), the registry's copy of its
/// bundle archive, the bundle.json fields a listing needs, and its evaluation (set name, content hash, image count,
/// metrics) with the NACHOS estimate it was bundled with. Its per-image predictions are read on demand.
/// </summary>
/// <param name="Id">The registry-wide id (<c>nachos model show ID</c>).</param>
/// <param name="Bundle">The registry's copy of the bundle archive (under ROOT/registry/).</param>
public sealed record RegisteredModel(
    long Id,
    string Task,
    int Version,
    string Bundle,
    string WeightsSha256,
    TaskKind Kind,
    IReadOnlyList<string> Classes,
    string SourceStudy,
    string SourceTask,
    int? OuterFold,
    DateTimeOffset BundleCreated,
    DateTimeOffset RegisteredAt,
    string RegisteredBy,
    string EvalSet,
    string EvalHash,
    int EvalImages,
    double Threshold,
    IReadOnlyDictionary<string, double?> Metrics,
    ExpectedPerformance Expected)
{
    /// <summary>The NACHOS estimate's mean of a metric, when the bundle's study reported it.</summary>
    public double? ExpectedMean(string metric) => Expected.Metrics.FirstOrDefault(m => m.Metric == metric)?.Mean;
}

/// <summary>
/// One promotion attempt of a task's history: who asked when, for which model, against which champion, the test and
/// its figures, and whether it was promoted. Refusals are kept too.
/// </summary>
public sealed record PromotionRecord(
    long Id,
    string Task,
    long ModelId,
    int Version,
    long? PreviousId,
    int? PreviousVersion,
    PromotionOutcome Outcome,
    DateTimeOffset At,
    string By,
    string Metric,
    string Test,
    double Alpha,
    double? Difference,
    double? CiLow,
    double? CiHigh,
    double? P,
    string Reason);

/// <summary>A task name of the registry: lower-case letters, digits, '-', '_' and '.', starting with a letter or digit, at most 100 characters.</summary>
public static partial class RegistryNames
{
    [System.Text.RegularExpressions.GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,99}$")]
    private static partial System.Text.RegularExpressions.Regex TaskPattern();

    public static bool ValidTask(string name) => TaskPattern().IsMatch(name);
}
