using System.Globalization;
using Microsoft.AspNetCore.Components;
using ScottPlot;

namespace Nachos.Host.Dashboard;

/// <summary>The feature maps (PCA and t-SNE): each case a dot, a colour per true label (or per site), a black ring around each wrong prediction.</summary>
public static partial class Plots
{
    public static MarkupString FeatureMap(string id, FeatureMapView view, bool bySite = false) =>
        FeatureScatter(id, view, view.Points, bySite, "PCA",
            $"PC1 ({Percent(view.VarianceRatio[0])} of variance)", $"PC2 ({Percent(view.VarianceRatio[1])} of variance)");

    /// <summary>The t-SNE map of <paramref name="view"/> (which must have one), coloured as its PCA map is.</summary>
    public static MarkupString FeatureMapTsne(string id, FeatureMapView view, bool bySite = false) =>
        FeatureScatter(id, view, view.Tsne!.Points, bySite,
            $"t-SNE (perplexity {view.Tsne.Perplexity.ToString("0.#", CultureInfo.InvariantCulture)})", "t-SNE 1", "t-SNE 2");

    /// <summary>Colours follow the groups of all the view's points, so a map of a subset colours each group as the full map does.</summary>
    private static MarkupString FeatureScatter(string id, FeatureMapView view, IReadOnlyList<FeaturePoint> shown, bool bySite, string method, string xLabel, string yLabel)
    {
        var plot = New();
        var palette = new ScottPlot.Palettes.Category10();
        var what = bySite ? "site" : "truth";
        string Key(FeaturePoint p) => bySite ? p.Site ?? "(none)" : p.Label;
        var keys = view.Points.Select(Key).Distinct().Order(StringComparer.Ordinal).ToList();
        var groups = shown.GroupBy(Key).ToDictionary(g => g.Key, g => g.ToArray());
        for (var g = 0; g < keys.Count; g++)
        {
            if (!groups.TryGetValue(keys[g], out var points)) continue;
            var markers = plot.Add.Markers(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), MarkerShape.FilledCircle, 7, palette.GetColor(g).WithAlpha(0.75));
            markers.LegendText = $"{what}: {keys[g]} ({points.Length})";
        }
        var wrong = shown.Where(p => p.Wrong).ToArray();
        if (wrong.Length > 0)
        {
            var rings = plot.Add.Markers(wrong.Select(p => p.X).ToArray(), wrong.Select(p => p.Y).ToArray(), MarkerShape.OpenCircle, 12, Colors.Black);
            rings.LegendText = $"ringed: wrong prediction ({wrong.Length})";
        }
        plot.Title($"penultimate-layer features, {method}, by {(bySite ? "site" : "true label")}", 14);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        LegendOutside(plot);
        return Svg(plot, id, 520, 480 + 16 * groups.Count);
    }

    private static string Percent(double ratio) => (100 * ratio).ToString("0.#", CultureInfo.InvariantCulture) + " %";
}
