using System.Globalization;
using Microsoft.AspNetCore.Components;
using ScottPlot;

namespace Nachos.Host.Dashboard;

/// <summary>The feature map: each case at its first two principal components, a colour per true label (or per site), a black ring around each wrong prediction.</summary>
public static partial class Plots
{
    public static MarkupString FeatureMap(string id, FeatureMapView view, bool bySite = false)
    {
        var plot = New();
        var palette = new ScottPlot.Palettes.Category10();
        var what = bySite ? "site" : "truth";
        var groups = view.Points.GroupBy(p => bySite ? p.Site ?? "(none)" : p.Label).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        for (var g = 0; g < groups.Count; g++)
        {
            var points = groups[g].ToArray();
            var markers = plot.Add.Markers(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), MarkerShape.FilledCircle, 7, palette.GetColor(g).WithAlpha(0.75));
            markers.LegendText = $"{what}: {groups[g].Key} ({points.Length})";
        }
        var wrong = view.Points.Where(p => p.Wrong).ToArray();
        if (wrong.Length > 0)
        {
            var rings = plot.Add.Markers(wrong.Select(p => p.X).ToArray(), wrong.Select(p => p.Y).ToArray(), MarkerShape.OpenCircle, 12, Colors.Black);
            rings.LegendText = $"ringed: wrong prediction ({wrong.Length})";
        }
        plot.Title($"penultimate-layer features, PCA, by {(bySite ? "site" : "true label")}", 14);
        plot.XLabel($"PC1 ({Percent(view.VarianceRatio[0])} of variance)");
        plot.YLabel($"PC2 ({Percent(view.VarianceRatio[1])} of variance)");
        LegendOutside(plot);
        return Svg(plot, id, 520, 480 + 16 * groups.Count);
    }

    private static string Percent(double ratio) => (100 * ratio).ToString("0.#", CultureInfo.InvariantCulture) + " %";
}
