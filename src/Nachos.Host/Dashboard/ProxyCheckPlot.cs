using Microsoft.AspNetCore.Components;
using Nachos.Shared.Proxy;
using Nachos.Shared.Spec;
using ScottPlot;

namespace Nachos.Host.Dashboard;

/// <summary>
/// proxy-check.json's configurations scored by both evaluations: the full-size score against the proxy's, one point each, the
/// full search's best and the proxy's choice ringed, and the line one SE below the full best (a proxy's choice above it is
/// within the SE).
/// </summary>
public static partial class Plots
{
    public static MarkupString? ProxyCheck(string id, ProxyCheckSummary summary)
    {
        var file = summary.File;
        var paired = summary.Rows.Select(r => r.Pair).Where(p => p is { Full.Score: { } f, Proxy.Score: { } q } && double.IsFinite(f) && double.IsFinite(q)).ToList();
        if (paired.Count == 0) return null;
        var plot = New();
        var palette = new ScottPlot.Palettes.Category10();
        var points = plot.Add.ScatterPoints(paired.Select(p => p.Proxy.Score!.Value).ToArray(), paired.Select(p => p.Full.Score!.Value).ToArray());
        points.Color = palette.GetColor(0);
        points.MarkerSize = 7;
        points.LegendText = "configuration";
        var ys = paired.Select(p => p.Full.Score!.Value).ToList();
        var v = file.Verdict;
        if (v.FullBestScore is { } best && v.FullBestStandardError is { } se && double.IsFinite(best + se))
        {
            var edge = file.Maximise ? best - se : best + se;
            var line = plot.Add.HorizontalLine(edge);
            line.Color = Colors.Gray;
            line.LinePattern = LinePattern.Dashed;
            line.LegendText = file.Maximise ? "full best − SE" : "full best + SE";
            ys.Add(edge);
        }
        foreach (var (trial, label, color, size) in new[] { (v.FullBestTrial, "full best", palette.GetColor(2), 15f), (v.ProxyChoiceTrial, "proxy's choice", palette.GetColor(3), 21f) })
        {
            if (paired.FirstOrDefault(p => p.Trial == trial) is not { } p) continue;
            var ring = plot.Add.Marker(p.Proxy.Score!.Value, p.Full.Score!.Value, MarkerShape.OpenCircle, size, color);
            ring.MarkerLineWidth = 2;
            ring.LegendText = label;
        }
        var xs = paired.Select(p => p.Proxy.Score!.Value).ToList();
        if (SpecNames.InUnitInterval(file.Metric))
        {
            var (xLow, xHigh) = UnitRange(xs);
            var (yLow, yHigh) = UnitRange(ys);
            plot.Axes.SetLimits(xLow, xHigh, yLow, yHigh);
        }
        else
        {
            plot.Axes.SetLimits(Padded(xs).Low, Padded(xs).High, Padded(ys).Low, Padded(ys).High);
        }
        var metric = file.Metric.Replace('_', ' ');
        plot.XLabel($"proxy: inner validation {metric}");
        plot.YLabel($"full size: inner validation {metric}");
        LegendOutside(plot);
        return Svg(plot, id, 560, 460);
    }

    /// <summary>The values' range with 5 % of it (at least 0.05) on either side.</summary>
    private static (double Low, double High) Padded(IReadOnlyList<double> values)
    {
        var pad = Math.Max(0.05, (values.Max() - values.Min()) * 0.05);
        return (values.Min() - pad, values.Max() + pad);
    }
}
