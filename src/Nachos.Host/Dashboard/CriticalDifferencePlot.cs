using System.Globalization;
using Microsoft.AspNetCore.Components;
using Nachos.Shared.Comparison;
using ScottPlot;

namespace Nachos.Host.Dashboard;

/// <summary>
/// The critical-difference plot of a comparison of three or more studies: each study's average rank over the outer
/// folds (1 = best) with an interval of half the Nemenyi critical difference on each side, so two studies differ
/// significantly exactly when their intervals do not overlap; the critical difference itself drawn as a bar on top.
/// </summary>
public static partial class Plots
{
    public const int CriticalDifferenceWidth = 720;

    public static int CriticalDifferenceHeight(int studies) => 140 + 40 * studies;

    /// <summary>Null when the comparison has no ranks (fewer than three studies, or the Friedman test undefined).</summary>
    public static Plot? CriticalDifferencePlot(StudyComparison comparison)
    {
        if (comparison.Ranks is not { } ranks || comparison.Studies.Any(s => s.AverageRank is null)) return null;
        var plot = New();
        var palette = new ScottPlot.Palettes.Category10();
        var k = comparison.Studies.Count;
        var half = (ranks.CriticalDifference ?? 0) / 2;
        // The best rank on top.
        var order = comparison.Studies.Select((s, i) => (s, i)).OrderBy(t => t.s.AverageRank).ToList();
        for (var row = 0; row < k; row++)
        {
            var (s, i) = order[row];
            var y = k - 1 - row;
            var r = s.AverageRank!.Value;
            if (half > 0)
            {
                var line = plot.Add.Line(r - half, y, r + half, y);
                line.Color = palette.GetColor(i);
                line.LineWidth = 3;
                line.MarkerSize = 0;
            }
            plot.Add.Marker(r, y, MarkerShape.FilledCircle, 10, palette.GetColor(i));
        }
        plot.Axes.Left.SetTicks(Enumerable.Range(0, k).Select(y => (double)y).ToArray(),
            order.Select(t => t.s.Name).Reverse().ToArray());
        double low = 1, high = k;
        if (ranks.CriticalDifference is { } cd)
        {
            var bar = plot.Add.Line(1, k - 0.3, 1 + cd, k - 0.3);
            bar.Color = Colors.Black;
            bar.LineWidth = 2;
            bar.MarkerSize = 0;
            low = Math.Min(low, order.Min(t => t.s.AverageRank!.Value) - half);
            high = Math.Max(Math.Max(high, 1 + cd), order.Max(t => t.s.AverageRank!.Value) + half);
        }
        plot.Axes.SetLimits(low - 0.2, high + 0.2, -0.6, k - 0.1);
        plot.XLabel("average rank over the outer folds (1 = best)");
        var cdText = ranks.CriticalDifference is { } d ? $"critical difference (bar) {d.ToString("F2", CultureInfo.InvariantCulture)}, " : "";
        plot.Title($"{cdText}Nemenyi α = {comparison.Alpha.ToString(CultureInfo.InvariantCulture)}, {comparison.Folds.Count} folds; Friedman p = {(ranks.P is { } p ? p.ToString("G3", CultureInfo.InvariantCulture) : "n/a")}", 13);
        return plot;
    }

    public static MarkupString? CriticalDifference(string id, StudyComparison comparison) =>
        CriticalDifferencePlot(comparison) is { } plot ? Svg(plot, id, CriticalDifferenceWidth, CriticalDifferenceHeight(comparison.Studies.Count)) : null;
}
