using Microsoft.AspNetCore.Components;
using Nachos.Shared.LearningCurves;
using ScottPlot;

namespace Nachos.Host.Dashboard;

/// <summary>learning-curve.json's metric against the training images: each outer fold's points, the mean per fraction with its 95 % CI
/// across folds, the fitted inverse power law with its bootstrap band, and the full-data mean less δ.</summary>
public static partial class Plots
{
    public static MarkupString? LearningCurve(string id, LearningCurveReport report)
    {
        var metric = report.Metric;
        var plot = New();
        var all = new List<double>();
        if (report.Fit is { } fit && fit.Band.Count > 1)
        {
            if (fit.Band.All(b => b.Low is not null && b.High is not null))
            {
                var band = plot.Add.FillY(fit.Band.Select(b => b.Images).ToArray(), fit.Band.Select(b => b.Low!.Value).ToArray(), fit.Band.Select(b => b.High!.Value).ToArray());
                band.FillColor = Colors.SteelBlue.WithAlpha(0.2);
                band.LineColor = Colors.Transparent;
                band.LegendText = "fit, 95 % band (bootstrap over folds)";
                all.AddRange(fit.Band.SelectMany(b => new[] { b.Low!.Value, b.High!.Value }));
            }
            var line = plot.Add.ScatterLine(fit.Band.Select(b => b.Images).ToArray(), fit.Band.Select(b => b.Value).ToArray());
            line.Color = Colors.SteelBlue;
            line.MarkerSize = 0;
            line.LegendText = "a − b·n^(−c)";
            all.AddRange(fit.Band.Select(b => b.Value));
        }
        for (var k = 0; k < report.Folds.Count; k++)
        {
            var points = report.Points.Select(p => (X: (double)p.Images[k], Y: p.Of(metric)?.PerFold.ElementAtOrDefault(k))).Where(p => p.Y is not null).ToList();
            if (points.Count == 0) continue;
            var folds = plot.Add.ScatterPoints(points.Select(p => p.X).ToArray(), points.Select(p => p.Y!.Value).ToArray());
            folds.Color = Colors.Gray.WithAlpha(0.7);
            folds.MarkerSize = 5;
            if (k == 0) folds.LegendText = "outer folds";
            all.AddRange(points.Select(p => p.Y!.Value));
        }
        var means = report.Points.Select(p => (X: p.MeanImages, M: p.Of(metric))).Where(p => p.M?.Mean is not null).ToList();
        if (means.Count > 0)
        {
            var mean = plot.Add.ScatterPoints(means.Select(p => p.X).ToArray(), means.Select(p => p.M!.Mean!.Value).ToArray());
            mean.Color = Colors.Black;
            mean.MarkerSize = 8;
            mean.LegendText = "mean, 95 % CI";
            foreach (var (x, m) in means)
            {
                all.Add(m!.Mean!.Value);
                if (m.CiLow is not { } lo || m.CiHigh is not { } hi) continue;
                var ci = plot.Add.Line(x, lo, x, hi);
                ci.Color = Colors.Black;
                ci.MarkerSize = 0;
                all.AddRange([lo, hi]);
            }
        }
        if (all.Count == 0) return null;
        if (report.Enough is { } e)
        {
            var target = plot.Add.HorizontalLine(e.FullMean - report.Delta);
            target.Color = Colors.DarkOrange;
            target.LinePattern = LinePattern.Dashed;
            target.LegendText = $"full data − δ ({report.Delta.ToString("G3", System.Globalization.CultureInfo.InvariantCulture)})";
        }
        var xs = report.Points.SelectMany(p => p.Images).Select(i => (double)i).ToList();
        plot.Axes.SetLimitsX(0, xs.Max() * 1.05);
        plot.Axes.SetLimitsY(all.Min() - 0.05, all.Max() + 0.05);
        plot.XLabel("training images");
        plot.YLabel($"outer test {metric.Replace('_', ' ')}");
        plot.Legend.Alignment = Alignment.LowerRight;
        plot.ShowLegend();
        return Svg(plot, id, 760, 380);
    }
}
