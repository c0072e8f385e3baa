using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;
using Nachos.Shared.Metrics;
using Nachos.Shared.Study;
using ScottPlot;

namespace Nachos.Host.Dashboard;

/// <summary>One line of a curve plot: y per x, gaps where y is undefined.</summary>
public sealed record Series(string? Label, IReadOnlyList<double> X, IReadOnlyList<double?> Y, bool Emphasis = true);

/// <summary>The dashboard's plots, drawn with ScottPlot as SVG to embed inline (every id inside prefixed, so many fit in one page).</summary>
public static partial class Plots
{
    private static readonly Color Muted = Color.FromHex("#b8bfcc");

    /// <summary>
    /// Per metric: a box (quartiles, whiskers at min and max) and the outer folds' values as points, with their
    /// mean and 95% t-interval beside them.
    /// </summary>
    public static MarkupString FoldMetrics(string id, IReadOnlyList<MetricSummary> metrics)
    {
        var plot = New();
        var palette = new ScottPlot.Palettes.Category10();
        var boxes = new List<Box>();
        for (var i = 0; i < metrics.Count; i++)
        {
            var values = metrics[i].PerFold.OfType<double>().Where(double.IsFinite).Order().ToArray();
            if (values.Length == 0) continue;
            boxes.Add(new Box
            {
                Position = i, Width = 0.35,
                BoxMin = Quantile(values, 0.25), BoxMiddle = Quantile(values, 0.5), BoxMax = Quantile(values, 0.75),
                WhiskerMin = values[0], WhiskerMax = values[^1],
            });
        }
        var boxPlot = plot.Add.Boxes(boxes);
        boxPlot.FillColor = palette.GetColor(0).WithAlpha(0.15);
        boxPlot.LineColor = palette.GetColor(0);
        for (var i = 0; i < metrics.Count; i++)
        {
            var perFold = metrics[i].PerFold;
            var xs = new List<double>();
            var ys = new List<double>();
            for (var k = 0; k < perFold.Count; k++)
                if (perFold[k] is { } v && double.IsFinite(v))
                {
                    xs.Add(i + (k - (perFold.Count - 1) / 2.0) * 0.05);
                    ys.Add(v);
                }
            var points = plot.Add.Markers(xs.ToArray(), ys.ToArray(), MarkerShape.FilledCircle, 7, palette.GetColor(0));
            if (i == 0) points.LegendText = "outer fold";
            if (metrics[i].Summary is not { } s) continue;
            if (s.CiLow is { } lo && s.CiHigh is { } hi)
            {
                var ci = plot.Add.Line(i + 0.3, lo, i + 0.3, hi);
                ci.Color = palette.GetColor(3);
                ci.LineWidth = 2.5f;
                ci.MarkerSize = 0;
                if (i == 0) ci.LegendText = "95% CI (t)";
            }
            var mean = plot.Add.Marker(i + 0.3, s.Mean, MarkerShape.FilledDiamond, 10, palette.GetColor(3));
            if (i == 0) mean.LegendText = "mean";
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, metrics.Count).Select(i => (double)i).ToArray(), metrics.Select(m => m.Metric.Replace('_', ' ')).ToArray());
        plot.Axes.SetLimitsX(-0.6, metrics.Count - 0.4);
        // The folds and their intervals, within [0, 1] where the metrics lie: an interval reaching past it (few folds) is cut at the edge.
        UnitAxisY(plot, metrics.SelectMany(m => m.PerFold.Concat([m.Summary?.CiLow, m.Summary?.CiHigh])).OfType<double>());
        plot.YLabel("outer test value");
        LegendOutside(plot);
        return Svg(plot, id, 760, 420);
    }

    /// <summary>
    /// Per group (an outer fold, say), a box (quartiles, whiskers at min and max) and every value as a point, spread
    /// sideways by a fixed pattern (the same values give the same plot), within [0, 1].
    /// </summary>
    public static MarkupString Distribution(string id, string title, string yLabel, IReadOnlyList<(string Label, IReadOnlyList<double> Values)> groups)
    {
        var plot = New();
        var palette = new ScottPlot.Palettes.Category10();
        var boxes = new List<Box>();
        for (var i = 0; i < groups.Count; i++)
        {
            var values = groups[i].Values.Where(double.IsFinite).Order().ToArray();
            if (values.Length == 0) continue;
            boxes.Add(new Box
            {
                Position = i, Width = 0.5,
                BoxMin = Quantile(values, 0.25), BoxMiddle = Quantile(values, 0.5), BoxMax = Quantile(values, 0.75),
                WhiskerMin = values[0], WhiskerMax = values[^1],
            });
            var xs = values.Select((_, k) => i + ((k * 7 % 11) / 10.0 - 0.5) * 0.4).ToArray();
            var points = plot.Add.Markers(xs, values, MarkerShape.FilledCircle, 5, palette.GetColor(0).WithAlpha(0.6));
            if (boxes.Count == 1) points.LegendText = "image";
        }
        if (boxes.Count > 0)
        {
            var boxPlot = plot.Add.Boxes(boxes);
            boxPlot.FillColor = palette.GetColor(0).WithAlpha(0.1);
            boxPlot.LineColor = palette.GetColor(0);
        }
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, groups.Count).Select(i => (double)i).ToArray(), groups.Select(g => g.Label).ToArray());
        plot.Axes.SetLimits(-0.6, groups.Count - 0.4, 0, 1);
        plot.Title(title, 14);
        plot.YLabel(yLabel);
        LegendOutside(plot);
        return Svg(plot, id, 560, 390);
    }

    /// <summary>
    /// Curves against epochs; emphasised series in colour with a legend, the others thin and grey. A dashed line marks
    /// <paramref name="markX"/>. With <paramref name="unitInterval"/> (proportions) the value axis stays within [0, 1].
    /// </summary>
    public static MarkupString Curves(string id, string title, string yLabel, IReadOnlyList<Series> series, double? markX = null, string? markLabel = null, bool unitInterval = false)
    {
        var plot = New();
        var mutedLegend = false;
        foreach (var s in series.OrderBy(s => s.Emphasis))
        {
            var points = s.X.Zip(s.Y, (x, y) => (X: x, Y: y ?? double.NaN)).Where(p => double.IsFinite(p.Y)).ToArray();
            if (points.Length == 0) continue;
            var line = plot.Add.ScatterLine(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray());
            line.MarkerSize = points.Length == 1 ? 6 : 3;
            if (s.Emphasis)
            {
                line.LineWidth = 2;
                line.LegendText = s.Label ?? "";
            }
            else
            {
                line.Color = Muted;
                line.LineWidth = 1;
                line.MarkerSize = 0;
                if (!mutedLegend && s.Label is not null) line.LegendText = s.Label;
                mutedLegend |= s.Label is not null;
            }
        }
        if (markX is { } x)
        {
            var mark = plot.Add.VerticalLine(x, 1, Colors.Gray, LinePattern.Dashed);
            if (markLabel is not null) mark.LegendText = markLabel;
        }
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        if (unitInterval) UnitAxisY(plot, series.SelectMany(s => s.Y).OfType<double>());
        plot.Title(title, 14);
        plot.XLabel("epoch");
        plot.YLabel(yLabel);
        if (series.Any(s => s.Label is not null) || markLabel is not null) LegendOutside(plot);
        return Svg(plot, id, 560, 380);
    }

    /// <summary>ROC curves with the chance diagonal (solid: ScottPlot draws each dash as a shape).</summary>
    public static MarkupString Roc(string id, IReadOnlyList<(string Label, RocCurve Curve)> curves)
    {
        var plot = New();
        var chance = plot.Add.Line(0, 0, 1, 1);
        chance.Color = Muted;
        chance.MarkerSize = 0;
        foreach (var (label, curve) in curves)
        {
            var line = plot.Add.ScatterLine(curve.Points.Select(p => p.Fpr).ToArray(), curve.Points.Select(p => p.Tpr).ToArray());
            line.LineWidth = 2;
            line.MarkerSize = 0;
            line.LegendText = $"{label} (AUC {MetricText.Show(curve.Area)})";
        }
        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.Title("ROC curve", 14);
        plot.XLabel("false positive rate (1 − specificity)");
        plot.YLabel("true positive rate (sensitivity)");
        LegendOutside(plot);
        return Svg(plot, id, 420, 440 + 16 * curves.Count);
    }

    /// <summary>Reliability diagram: per bin, the observed frequency of the positive class against the mean predicted probability;
    /// the pooled predictions in colour, each outer fold thin, the diagonal for perfect calibration.</summary>
    public static MarkupString Reliability(string id, StudyCalibration calibration)
    {
        var plot = New();
        var diagonal = plot.Add.Line(0, 0, 1, 1);
        diagonal.Color = Muted;
        diagonal.MarkerSize = 0;
        var curves = calibration.Folds.Select(f => (Label: $"fold {f.Outer} (Brier {MetricText.Show(f.Brier)})", Fold: f, Pooled: false)).ToList();
        if (calibration.Pooled is { } pooled) curves.Add(($"pooled (Brier {MetricText.Show(pooled.Brier)})", pooled, true));
        foreach (var (label, fold, emphasis) in curves)
        {
            var bins = fold.Bins.Where(b => b.MeanPredicted is not null).ToArray();
            if (bins.Length == 0) continue;
            var line = plot.Add.ScatterLine(bins.Select(b => b.MeanPredicted!.Value).ToArray(), bins.Select(b => b.ObservedFrequency!.Value).ToArray());
            line.LineWidth = emphasis ? 2 : 1;
            line.MarkerSize = emphasis ? 6 : 3;
            line.LegendText = label;
        }
        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.Title("reliability diagram (outer test)", 14);
        plot.XLabel($"mean predicted p({calibration.PositiveClass})");
        plot.YLabel($"observed frequency of {calibration.PositiveClass}");
        LegendOutside(plot);
        return Svg(plot, id, 460, 460 + 16 * curves.Count);
    }

    /// <summary>The legend in its own panel below the plotting area, never over the data.</summary>
    private static void LegendOutside(Plot plot) => plot.ShowLegend(Edge.Bottom);

    /// <summary>A proportion's axis: the values' range padded by 0.05, cut at 0 and 1 (never a tick outside the metric's range).</summary>
    private static void UnitAxisY(Plot plot, IEnumerable<double> values)
    {
        var (low, high) = UnitRange(values);
        plot.Axes.SetLimitsY(low, high);
    }

    private static (double Low, double High) UnitRange(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).DefaultIfEmpty(0.5).ToList();
        var low = Math.Clamp(finite.Min() - 0.05, 0, 1);
        var high = Math.Clamp(finite.Max() + 0.05, 0, 1);
        if (high - low < 0.1) (low, high) = (Math.Max(0, Math.Min(low, high - 0.1)), Math.Min(1, Math.Max(high, low + 0.1)));
        return (low, high);
    }

    private static Plot New()
    {
        var plot = new Plot();
        plot.Font.Set("DejaVu Sans");
        return plot;
    }

    /// <summary>Linear interpolation between order statistics of sorted values.</summary>
    private static double Quantile(double[] sorted, double q)
    {
        var h = (sorted.Length - 1) * q;
        var lo = (int)Math.Floor(h);
        return lo + 1 < sorted.Length ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
    }

    /// <summary>
    /// The plot as an inline &lt;svg&gt; with id <paramref name="id"/>; its inner ids (clip paths) get the same prefix.
    /// Markup the page includes as it is: ScottPlot draws it from numbers, and the labels' text is XML-escaped by
    /// its SVG writer (DashboardEncodingTests puts a class name holding "&lt;script&gt;" into an ROC legend).
    /// </summary>
    private static MarkupString Svg(Plot plot, string id, int width, int height)
    {
        var svg = plot.GetSvgXml(width, height);
        svg = XmlDeclaration().Replace(svg, "");
        // ScottPlot numbers its clip paths process-wide; renumbered per plot, the same plot gives the same text.
        var inner = new Dictionary<string, string>();
        svg = InnerId().Replace(svg, m =>
        {
            if (!inner.TryGetValue(m.Groups[2].Value, out var renamed)) inner[m.Groups[2].Value] = renamed = $"{id}-{inner.Count}";
            return m.Groups[1].Value + renamed;
        });
        // Coordinates to 0.1 px: a page with hundreds of plots is a third smaller, and looks the same.
        svg = Geometry().Replace(svg, m => m.Groups[1].Value + Decimals().Replace(m.Groups[2].Value, d => d.Groups[1].Value) + "\"");
        var open = svg.IndexOf("<svg", StringComparison.Ordinal);
        return new MarkupString(svg[..open] + $"<svg id=\"{id}\" role=\"img\" viewBox=\"0 0 {width} {height}\"" + svg[(open + 4)..]);
    }

    [GeneratedRegex(@"^\s*<\?xml[^>]*\?>\s*")]
    private static partial Regex XmlDeclaration();

    [GeneratedRegex(@"(id=""|url\(#|href=""#)([^""\)]+)")]
    private static partial Regex InnerId();

    [GeneratedRegex(@"(\s(?:d|x|y|transform)="")([^""]*)""")]
    private static partial Regex Geometry();

    [GeneratedRegex(@"(\d+\.\d)\d+")]
    private static partial Regex Decimals();
}
