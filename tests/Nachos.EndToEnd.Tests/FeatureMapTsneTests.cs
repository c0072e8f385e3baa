using Nachos.Host.Dashboard;
using Nachos.Shared.Projection;

namespace Nachos.EndToEnd.Tests;

/// <summary>The feature map's t-SNE: every case up to <see cref="FeatureMap.MaxTsneCases"/>, every k-th beyond, each keeping its label, site and error.</summary>
public sealed class FeatureMapTsneTests
{
    [Fact]
    public void Beyond_the_cap_every_other_case_is_mapped_and_the_classes_stay_apart()
    {
        // 600 cases of 3 features in two well-separated classes, alternating.
        var features = Enumerable.Range(0, 600)
            .Select(i => (IReadOnlyList<double>)[i % 2 * 20 + Math.Sin(i), Math.Cos(1.7 * i), Math.Sin(0.3 * i) * 2])
            .ToList();
        var fit = Pca.Fit(features, 2);
        var points = features.Select((_, i) => new FeaturePoint($"c{i:000}", fit.Scores[i][0], fit.Scores[i][1], i % 2 == 0 ? "normal" : "lesion",
            i % 3 == 0 ? "A" : "B", i % 7 == 0)).ToList();

        var tsne = FeatureMap.TsneOf(features, fit, points);

        Assert.Equal(500, FeatureMap.MaxTsneCases);
        Assert.Equal(300, tsne.Points.Count);
        Assert.Equal(points.Where((_, i) => i % 2 == 0).Select(p => (p.SampleId, p.Label, p.Site, p.Wrong)),
            tsne.Points.Select(p => (p.SampleId, p.Label, p.Site, p.Wrong)));
        Assert.Equal(30, tsne.Perplexity);
        Assert.Equal(1000, tsne.Iterations);
        Assert.All(tsne.Points, p => Assert.True(double.IsFinite(p.X) && double.IsFinite(p.Y)));
        Assert.NotEqual(points[0].X, tsne.Points[0].X); // t-SNE's coordinates, not the PCA scores
        AssertNearestIsOfTheSameClass(tsne);
    }

    [Fact]
    public void Below_the_cap_every_case_is_mapped_at_a_perplexity_its_number_allows()
    {
        var features = Enumerable.Range(0, 40).Select(i => (IReadOnlyList<double>)[i % 2 * 10 + Math.Sin(i), Math.Cos(i)]).ToList();
        var fit = Pca.Fit(features, 2);
        var points = features.Select((_, i) => new FeaturePoint($"c{i:00}", fit.Scores[i][0], fit.Scores[i][1], i % 2 == 0 ? "a" : "b", null, false)).ToList();
        var tsne = FeatureMap.TsneOf(features, fit, points);
        Assert.Equal(40, tsne.Points.Count);
        Assert.Equal(13, tsne.Perplexity);
        AssertNearestIsOfTheSameClass(tsne);
    }

    /// <summary>The classes are far apart in feature space: each case's nearest neighbour on the map is of its class.</summary>
    private static void AssertNearestIsOfTheSameClass(TsneView tsne)
    {
        foreach (var p in tsne.Points)
            Assert.Equal(p.Label, tsne.Points.Where(q => q != p).MinBy(q => (q.X - p.X) * (q.X - p.X) + (q.Y - p.Y) * (q.Y - p.Y))!.Label);
    }
}
