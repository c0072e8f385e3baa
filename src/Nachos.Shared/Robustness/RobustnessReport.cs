using System.Text.Json;
using System.Text.Json.Serialization;
using Nachos.Shared.Files;
using Nachos.Shared.Metrics;
using Nachos.Shared.Metrics.Segmentation;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;

namespace Nachos.Shared.Robustness;

/// <summary>One metric under one condition: per outer fold, the mean with its 95 % t-interval across folds, and the drop from the unshifted baseline.</summary>
/// <param name="Drop">The mean over folds of the per-fold loss against the baseline (baseline − shifted for a metric to maximise,
/// shifted − baseline for one to minimise): positive is worse. Zero for the baseline itself; null where undefined.</param>
public sealed record ShiftedMetric(string Metric, IReadOnlyList<double?> PerFold, double? Mean, double? CiLow, double? CiHigh, double? Drop);

/// <summary>The outer test folds' metrics under one shift at one severity (the baseline: transform "none", severity 0).</summary>
public sealed record ShiftCondition(string Transform, int Severity, double? Parameter, IReadOnlyList<ShiftedMetric> Metrics)
{
    public const string None = "none";

    public ShiftedMetric? Of(string metric) => Metrics.FirstOrDefault(m => m.Metric == metric);
}

/// <summary>A metric's largest drop over everything stressed: every named shift and severity and, with the channel grid, every cell.</summary>
/// <param name="Cell">The channel grid cell when the worst is one (<paramref name="Transform"/> "channel-grid", severity 0); null otherwise and in older files.</param>
public sealed record WorstDrop(string Metric, string Transform, int Severity, double Drop,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ChannelGridCell? Cell = null)
{
    /// <summary>Where the drop is, as the terminal and the dashboard name it: "gamma, severity 5" or "channel-grid red+0.4 blue-0.4".</summary>
    [JsonIgnore]
    public string Where => Cell is { } c
        ? $"{Transform} red{Level(c.Red)} blue{Level(c.Blue)}"
        : $"{Transform}, severity {Severity}";

    private static string Level(double level) => level.ToString("+0.0##;-0.0##;0", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>
/// robustness.json: each outer fold's refit model evaluated on its own outer test fold unshifted and under each shift and
/// severity (docs/robustness.md).
/// </summary>
/// <param name="Failures">Outer folds whose stress test failed (not in <paramref name="Folds"/>), each "outer fold k: kind: error"; null when none did.</param>
public sealed record RobustnessReport(int Format, string Study, string SearchMetric, IReadOnlyList<int> Folds, ShiftCondition Baseline,
    IReadOnlyList<ShiftCondition> Conditions, IReadOnlyList<WorstDrop> Worst,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? Failures = null)
{
    public const int FormatVersion = 1;

    /// <summary>The red × blue channel-scale grid (RGB studies asking for it); null otherwise and in older files.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ChannelGridReport? ChannelGrid { get; init; }
    public const string FileName = "robustness.json";

    public static string PathIn(string runDir) => Path.Combine(runDir, FileName);

    /// <summary>One condition's raw per-fold metrics (in the order of the report's folds).</summary>
    public sealed record Measured(string Transform, int Severity, double? Parameter, IReadOnlyList<IReadOnlyDictionary<string, double?>> PerFold);

    public static RobustnessReport Build(string study, string searchMetric, IReadOnlyList<string> metrics, IReadOnlyList<int> folds,
        Measured baseline, IReadOnlyList<Measured> conditions)
    {
        var basis = Condition(baseline, metrics, null);
        var shifted = conditions.Select(c => Condition(c, metrics, baseline)).ToList();
        return new RobustnessReport(FormatVersion, study, searchMetric, folds, basis, shifted, WorstOf(metrics, shifted, null));
    }

    /// <summary>Per metric, its largest drop over the named conditions and the grid's cells (a tie goes to the first: the named shifts, then the cells in order).</summary>
    internal static IReadOnlyList<WorstDrop> WorstOf(IReadOnlyList<string> metrics, IReadOnlyList<ShiftCondition> conditions, ChannelGridReport? grid) =>
        metrics.Select(m => conditions.Select(c => c.Of(m)?.Drop is { } d ? new WorstDrop(m, c.Transform, c.Severity, d) : null)
                .Concat((grid?.Cells ?? []).Where(c => c.Red != 0 || c.Blue != 0).Select(c => c.Of(m)?.Drop is { } d
                    ? new WorstDrop(m, Robustness.ChannelGrid.Name, 0, d, new ChannelGridCell(c.Red, c.Blue)) : null))
                .OfType<WorstDrop>()
                .MaxBy(w => w.Drop))
            .OfType<WorstDrop>()
            .ToList();

    /// <summary>
    /// The report of a finished study from its outer folds' stress tests (<see cref="StressFold"/>), the conditions in
    /// <paramref name="selection"/>'s order. Classification conditions are scored at each fold's decision threshold, as the study's report does.
    /// </summary>
    /// <exception cref="InvalidDataException">A fold's stress test lacks a condition of <paramref name="selection"/>.</exception>
    public static RobustnessReport Of(StudySpec spec, StudyReport report, IReadOnlyList<string> classes, IReadOnlyList<StressFold> folds,
        StressSelection selection, IReadOnlyList<string>? failures = null)
    {
        var metrics = report.Metrics.Count > 0 ? report.Metrics.Select(m => m.Metric).ToList() : SpecNames.MetricsOf(spec.Task).ToList();
        var ordered = folds.OrderBy(f => f.Outer).ToList();
        IReadOnlyList<IReadOnlyDictionary<string, double?>> PerFold(string transform, int severity, ChannelGridCell? cell = null) => ordered.Select(fold =>
        {
            var score = (cell is null ? fold.At(transform, severity) : fold.At(cell))
                ?? throw new InvalidDataException(cell is null
                    ? $"outer fold {fold.Outer}'s stress test has no {transform} at severity {severity} (run nachos stress for other shifts)"
                    : $"outer fold {fold.Outer}'s stress test has no channel grid cell red {cell.Red}, blue {cell.Blue} (run nachos stress --channel-grid)");
            if (score.Predictions is null) return (IReadOnlyDictionary<string, double?>)metrics.ToDictionary(m => m, m => score.Metrics?.GetValueOrDefault(m));
            var threshold = report.OperatingPoint?.ThresholdOf(fold.Outer) ?? DecisionRule.DefaultThreshold;
            var values = StudyReport.Scores(spec.Task, classes, score.Predictions, metrics, threshold);
            return metrics.Select((m, i) => (m, values[i])).ToDictionary(x => x.m, x => x.Item2);
        }).ToList();
        var conditions = selection.Transforms.SelectMany(t => selection.Severities.Select(s => (Kind: t, Severity: s)));
        var baseline = new Measured(ShiftCondition.None, 0, null, PerFold(ShiftCondition.None, 0));
        var named = Build(spec.Name, spec.Search.Metric, metrics, ordered.Select(f => f.Outer).ToList(), baseline,
            conditions.Select(c => new Measured(Shifts.NameOf(c.Kind), c.Severity, Shifts.Parameter(c.Kind, c.Severity), PerFold(Shifts.NameOf(c.Kind), c.Severity))).ToList());
        var grid = selection.ChannelGrid
            ? Robustness.ChannelGrid.Build(metrics, baseline, Robustness.ChannelGrid.Evaluated.Select(c => (c, PerFold(Robustness.ChannelGrid.Name, 0, c))).ToList())
            : null;
        return named with
        {
            Failures = failures is { Count: > 0 } ? failures : null,
            ChannelGrid = grid,
            Worst = WorstOf(metrics, named.Conditions, grid),
        };
    }

    /// <summary>One condition summarised across folds, with its drop against <paramref name="baseline"/> (none: the baseline itself).</summary>
    internal static ShiftCondition Condition(Measured c, IReadOnlyList<string> metrics, Measured? baseline) =>
        new(c.Transform, c.Severity, c.Parameter, metrics.Select(name =>
        {
            var perFold = c.PerFold.Select(f => f.GetValueOrDefault(name)).ToList();
            var defined = perFold.Where(v => v is not null).Select(v => v!.Value).ToList();
            var summary = defined.Count == 0 ? null
                : SpecNames.Unbounded(ImageScores.BaseMetric(name)) ? Intervals.Summarise(defined).Within(0, double.PositiveInfinity)
                : Intervals.Summarise(defined).Within(0, 1);
            double? drop = 0;
            if (baseline is not null)
            {
                var sign = SpecNames.Minimised(ImageScores.BaseMetric(name)) ? -1 : 1;
                var pairs = perFold.Zip(baseline.PerFold, (s, b) => (s, b: b.GetValueOrDefault(name)))
                    .Where(p => p.s is not null && p.b is not null).Select(p => sign * (p.b!.Value - p.s!.Value)).ToList();
                drop = pairs.Count > 0 ? pairs.Average() : null;
            }
            return new ShiftedMetric(name, perFold, summary?.Mean, summary?.CiLow, summary?.CiHigh, drop);
        }).ToList());

    public ShiftCondition? At(string transform, int severity) => Conditions.FirstOrDefault(c => c.Transform == transform && c.Severity == severity);

    public void Write(string runDir) => AtomicFile.WriteAllText(PathIn(runDir), JsonSerializer.Serialize(this, FileJson.Options));

    /// <exception cref="InvalidDataException">Not a robustness.json this nachos reads.</exception>
    public static RobustnessReport Read(string path)
    {
        var report = FileJson.Read<RobustnessReport>(path, "a robustness report");
        if (report is null || report.Format != FormatVersion || report.Baseline is null || report.Conditions is null)
            throw new InvalidDataException($"{path}: not a robustness report of format {FormatVersion}");
        return report;
    }
}
