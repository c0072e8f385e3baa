using System.Text.Json;
using Nachos.Shared.Files;
using Nachos.Shared.Metrics.Segmentation;
using Nachos.Shared.Seeding;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;

namespace Nachos.Shared.LearningCurves;

/// <summary>One metric at one fraction: per outer fold, and the mean with its 95 % t-interval across folds (cut to the metric's range).</summary>
public sealed record CurveMetric(string Metric, IReadOnlyList<double?> PerFold, double? Mean, double? CiLow, double? CiHigh);

/// <summary>The outer folds' test metrics after training on one fraction of their outer-train sets (1: the refits).</summary>
/// <param name="Images">Per outer fold, the number of training images at this fraction.</param>
public sealed record CurvePoint(double Fraction, IReadOnlyList<int> Images, double MeanImages, IReadOnlyList<CurveMetric> Metrics)
{
    public CurveMetric? Of(string metric) => Metrics.FirstOrDefault(m => m.Metric == metric);
}

/// <summary>The fitted curve at a number of training images, with its bootstrap-over-folds 95 % band (null without one).</summary>
public sealed record BandPoint(double Images, double Value, double? Low, double? High);

/// <summary>
/// The inverse power law metric(n) = a − b·n^(−c) fitted to every outer fold's (training images, metric) points, with the
/// percentile interval of a (the level the curve approaches) and the curve's band over <see cref="Replicates"/> resamples of
/// the outer folds with replacement (<see cref="Fitted"/> of which converged).
/// </summary>
public sealed record CurveFit(double A, double B, double C, double? ALow, double? AHigh, int Replicates, int Fitted, IReadOnlyList<BandPoint> Band);

/// <summary>The smallest fraction whose mean metric is within δ of the full-data (refit) mean: the least training images that reach the performance.</summary>
public sealed record EnoughData(double Fraction, double MeanImages, double Mean, double FullMean);

/// <summary>
/// learning-curve.json (docs/evaluation.md): each outer fold's chosen configuration trained on nested fractions of its
/// outer-train set and scored on its own outer test fold; the summary is about the study's search metric.
/// </summary>
public sealed record LearningCurveReport(int Format, string Study, string Metric, double Delta, IReadOnlyList<int> Folds,
    IReadOnlyList<CurvePoint> Points, CurveFit? Fit, string? FitProblem, EnoughData? Enough)
{
    public const int FormatVersion = 1;
    public const string FileName = "learning-curve.json";
    public const int BootstrapReplicates = 1000;
    private const int BandPoints = 25;

    public static string PathIn(string runDir) => Path.Combine(runDir, FileName);

    /// <summary>One outer fold at one fraction: its training images and its test metrics.</summary>
    public sealed record Measured(double Fraction, int Images, IReadOnlyDictionary<string, double?> Metrics);

    /// <param name="measured">Per outer fold (in <paramref name="folds"/>' order), one entry per fraction, the same fractions for every fold.</param>
    public static LearningCurveReport Build(string study, string metric, IReadOnlyList<string> metrics, double delta, IReadOnlyList<int> folds,
        IReadOnlyList<IReadOnlyList<Measured>> measured, int seed)
    {
        if (measured.Count != folds.Count) throw new ArgumentException($"{measured.Count} folds measured, {folds.Count} named");
        var fractions = measured.SelectMany(f => f.Select(m => m.Fraction)).Distinct().Order().ToList();
        if (measured.Any(f => f.Select(m => m.Fraction).Distinct().Count() != fractions.Count || f.Count != fractions.Count))
            throw new ArgumentException("every outer fold needs one measurement per fraction");
        var points = fractions.Select(f =>
        {
            var at = measured.Select(fold => fold.Single(m => m.Fraction == f)).ToList();
            return new CurvePoint(f, at.Select(m => m.Images).ToList(), at.Average(m => m.Images),
                metrics.Select(name => Summarise(name, at.Select(m => m.Metrics.GetValueOrDefault(name)).ToList())).ToList());
        }).ToList();

        var (fit, problem) = FitCurve(metric, folds, measured, points, seed);
        EnoughData? enough = null;
        if (points[^1].Of(metric)?.Mean is { } full)
        {
            var minimised = SpecNames.Minimised(ImageScores.BaseMetric(metric));
            var first = points.FirstOrDefault(p => p.Of(metric)?.Mean is { } m && (minimised ? m <= full + delta : m >= full - delta));
            if (first is not null) enough = new EnoughData(first.Fraction, first.MeanImages, first.Of(metric)!.Mean!.Value, full);
        }
        return new LearningCurveReport(FormatVersion, study, metric, delta, folds, points, fit, problem, enough);
    }

    private static CurveMetric Summarise(string name, IReadOnlyList<double?> perFold)
    {
        var defined = perFold.OfType<double>().ToList();
        var summary = defined.Count == 0 ? null
            : SpecNames.Unbounded(ImageScores.BaseMetric(name)) ? Intervals.Summarise(defined).Within(0, double.PositiveInfinity)
            : Intervals.Summarise(defined).Within(0, 1);
        return new CurveMetric(name, perFold, summary?.Mean, summary?.CiLow, summary?.CiHigh);
    }

    private static (CurveFit?, string?) FitCurve(string metric, IReadOnlyList<int> folds, IReadOnlyList<IReadOnlyList<Measured>> measured,
        IReadOnlyList<CurvePoint> points, int seed)
    {
        if (points.Count < 3) return (null, $"{points.Count} fractions; the inverse power law has 3 parameters and needs at least 3");
        var perFold = measured.Select(f => f.Where(m => m.Metrics.GetValueOrDefault(metric) is not null)
            .Select(m => (N: (double)m.Images, Y: m.Metrics[metric]!.Value)).ToList()).ToList();
        var all = perFold.SelectMany(p => p).ToList();
        if (all.Select(p => p.N).Distinct().Count() < 3) return (null, $"{metric} is defined at fewer than 3 training-set sizes");
        // The level the curve approaches must be a value the metric can take: [0, 1], or [0, ∞) for the surface distances.
        var highest = SpecNames.Unbounded(ImageScores.BaseMetric(metric)) ? double.PositiveInfinity : 1;
        var fit = InversePowerLaw.Fit(all.Select(p => p.N).ToList(), all.Select(p => p.Y).ToList(), 0, highest);
        if (fit is null) return (null, $"no inverse power law with its level in the range of {metric} fits these points (they do not level off, or {metric} does not change steadily with the training-set size)");

        var low = all.Min(p => p.N);
        var high = all.Max(p => p.N);
        var grid = Enumerable.Range(0, BandPoints).Select(i => low * Math.Pow(high / low, i / (BandPoints - 1.0))).ToList();
        var replicatesA = new List<double>();
        var replicatesAt = grid.Select(_ => new List<double>()).ToList();
        var replicates = folds.Count >= 2 ? BootstrapReplicates : 0;
        for (var r = 0; r < replicates; r++)
        {
            var rng = new Random(Seeds.Derive(seed, Seeds.Hash("learning-curve-fit"), r));
            var sample = Enumerable.Range(0, folds.Count).SelectMany(_ => perFold[rng.Next(folds.Count)]).ToList();
            if (sample.Select(p => p.N).Distinct().Count() < 3) continue;
            if (InversePowerLaw.Fit(sample.Select(p => p.N).ToList(), sample.Select(p => p.Y).ToList(), 0, highest, fit) is not { } b) continue;
            replicatesA.Add(b.A);
            for (var i = 0; i < grid.Count; i++) replicatesAt[i].Add(b.At(grid[i]));
        }
        var enough = replicates > 0 && replicatesA.Count >= replicates / 2;
        var (aLow, aHigh) = enough ? Percentiles(replicatesA) : (null, null);
        var band = grid.Select((n, i) =>
        {
            var (lo, hi) = enough ? Percentiles(replicatesAt[i]) : (null, null);
            return new BandPoint(n, fit.At(n), lo, hi);
        }).ToList();
        return (new CurveFit(fit.A, fit.B, fit.C, aLow, aHigh, replicates, replicatesA.Count, band), null);
    }

    /// <summary>The 2.5th and 97.5th percentiles, as the report's bootstrap takes them.</summary>
    private static (double?, double?) Percentiles(List<double> values)
    {
        values.Sort();
        double Quantile(double q) => values[(int)Math.Clamp(Math.Floor(q * (values.Count - 1)), 0, values.Count - 1)];
        return (Quantile(0.025), Quantile(0.975));
    }

    public void Write(string runDir) => AtomicFile.WriteAllText(PathIn(runDir), JsonSerializer.Serialize(this, FileJson.Options));

    /// <exception cref="InvalidDataException">Not a learning-curve.json this nachos reads.</exception>
    public static LearningCurveReport Read(string path)
    {
        var report = FileJson.Read<LearningCurveReport>(path, "a learning curve");
        if (report is null || report.Format != FormatVersion || report.Points is null || report.Folds is null)
            throw new InvalidDataException($"{path}: not a learning curve of format {FormatVersion}");
        return report;
    }
}
