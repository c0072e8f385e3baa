using Microsoft.AspNetCore.Components;
using Nachos.Shared.Metrics;
using Nachos.Shared.Metrics.Segmentation;
using Nachos.Shared.Robustness;
using Nachos.Shared.Spec;
using ScottPlot;

namespace Nachos.Host.Dashboard;

/// <summary>A metric of robustness.json against the severity, one line per transform, each point its mean with its 95 % CI across folds.</summary>
public static partial class Plots
{
    public static MarkupString? Robustness(string id, RobustnessReport report, string metric)
    {
        var plot = New();
        var palette = new ScottPlot.Palettes.Category10();
        var transforms = report.Conditions.Select(c => c.Transform).Distinct().ToList();
        var all = new List<double>();
        if (report.Baseline.Of(metric)?.Mean is { } baseline)
        {
            var line = plot.Add.HorizontalLine(baseline);
            line.Color = Colors.Gray;
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = "unshifted";
            all.Add(baseline);
        }
        for (var t = 0; t < transforms.Count; t++)
        {
            var points = report.Conditions.Where(c => c.Transform == transforms[t]).OrderBy(c => c.Severity)
                .Select(c => (c.Severity, M: c.Of(metric))).Where(p => p.M?.Mean is { } v && double.IsFinite(v)).ToList();
            if (points.Count == 0) continue;
            // Transforms side by side at each severity, so their intervals do not hide each other.
            var dx = (t - (transforms.Count - 1) / 2.0) * 0.04;
            var color = palette.GetColor(t);
            var line = plot.Add.ScatterLine(points.Select(p => p.Severity + dx).ToArray(), points.Select(p => p.M!.Mean!.Value).ToArray());
            line.Color = color;
            line.MarkerSize = 6;
            line.LegendText = transforms[t];
            foreach (var (severity, m) in points)
            {
                all.Add(m!.Mean!.Value);
                if (m.CiLow is not { } lo || m.CiHigh is not { } hi) continue;
                var ci = plot.Add.Line(severity + dx, lo, severity + dx, hi);
                ci.Color = color.WithAlpha(0.6);
                ci.MarkerSize = 0;
                all.AddRange([lo, hi]);
            }
        }
        if (all.Count == 0) return null;
        var severities = report.Conditions.Select(c => c.Severity).Distinct().Order().ToList();
        plot.Axes.Bottom.SetTicks(severities.Select(s => (double)s).ToArray(), severities.Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.SetLimitsX(severities.Min() - 0.5, severities.Max() + 0.5);
        if (SpecNames.InUnitInterval(ImageScores.BaseMetric(metric))) UnitAxisY(plot, all);
        else plot.Axes.SetLimitsY(all.Min() - 0.05, all.Max() + 0.05);
        plot.XLabel("severity");
        plot.YLabel($"outer test {metric.Replace('_', ' ')}");
        LegendOutside(plot);
        return Svg(plot, id, 760, 420);
    }

    /// <summary>
    /// The red × blue channel grid as a heatmap: a cell per red and blue factor holding the metric's mean, coloured by its
    /// drop from the baseline with the transform × severity heatmap's colours.
    /// </summary>
    public static MarkupString? ChannelGrid(string id, ChannelGridReport grid, string metric)
    {
        var cells = grid.Cells.Select(c => (c.Red, c.Blue, M: c.Of(metric))).Where(c => c.M is not null).ToList();
        if (cells.Count == 0) return null;
        var largest = cells.Select(c => c.M!.Drop).OfType<double>().Select(Math.Abs).DefaultIfEmpty(0).Max();
        var plot = New();
        var index = grid.Levels.Select((level, i) => (level, i)).ToDictionary(x => x.level, x => x.i);
        foreach (var (red, blue, m) in cells)
        {
            if (!index.TryGetValue(red, out var row) || !index.TryGetValue(blue, out var column)) continue;
            var box = plot.Add.Rectangle(column - 0.5, column + 0.5, row - 0.5, row + 0.5);
            box.FillStyle.Color = DropShade.OnWhite(m!.Drop, largest);
            box.LineStyle.Color = Colors.White;
            box.LineStyle.Width = 1;
            var drop = m.Drop?.ToString("+0.000;-0.000;0", System.Globalization.CultureInfo.InvariantCulture) ?? "–";
            var text = plot.Add.Text($"{MetricText.Show(m.Mean, "–")}\n({drop})", column, row);
            text.LabelAlignment = Alignment.MiddleCenter;
            text.LabelFontSize = 11;
            text.LabelFontColor = Colors.Black;
        }
        double[] positions = grid.Levels.Select((_, i) => (double)i).ToArray();
        string[] labels = grid.Levels.Select(ChannelGridReport.Factor).ToArray();
        plot.Axes.Bottom.SetTicks(positions, labels);
        plot.Axes.Left.SetTicks(positions, labels);
        plot.Axes.SetLimits(-0.5, grid.Levels.Count - 0.5, -0.5, grid.Levels.Count - 0.5);
        plot.HideGrid();
        plot.XLabel("blue factor");
        plot.YLabel("red factor");
        plot.Title($"outer test {metric.Replace('_', ' ')} (drop from baseline)", 12);
        return Svg(plot, id, 560, 500);
    }
}
