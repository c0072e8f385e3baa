using Nachos.Shared.Predictions;
using Nachos.Shared.Registry;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Tests;

/// <summary>A registered model's metrics per site of its evaluation set, against values computed beforehand with SciPy.</summary>
public sealed class SiteMetricsTests
{
    private static readonly int[] Truth = [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1];
    private static readonly double[] P = [0.9, 0.2, 0.35, 0.8, 0.4, 0.1, 0.6, 0.7, 0.3, 0.55, 0.25, 0.65];

    private static ModelEvaluation Evaluation(Func<int, string?> site) =>
        new("set", "hash", TaskKind.Binary, ["normal", "lesion"],
            Truth.Select((y, i) => new PredictionRow($"img{i}", "test", [y], [1 - P[i], P[i]],
                site(i) is { } s ? new Dictionary<string, string> { [SiteMetrics.Column] = s } : null)).ToList(),
            0.5, new Dictionary<string, double?>());

    [Fact]
    public void Each_sites_images_are_scored_alone_at_the_models_threshold()
    {
        // scipy.stats.mannwhitneyu(U) / (n1 n0) per site, and the share of (p >= 0.5) == y.
        var sites = SiteMetrics.Of(Evaluation(i => i < 6 ? "hospital-a" : "hospital-b"));
        Assert.Equal(["hospital-a", "hospital-b"], sites.Keys);
        Assert.Equal(0.8888888888888888, sites["hospital-a"]["auroc"]!.Value, 12);
        Assert.Equal(0.8333333333333334, sites["hospital-a"]["accuracy"]!.Value, 12);
        Assert.Equal(0.5555555555555556, sites["hospital-b"]["auroc"]!.Value, 12);
        Assert.Equal(0.5, sites["hospital-b"]["accuracy"]!.Value, 12);
    }

    [Fact]
    public void An_evaluation_without_a_site_column_has_no_sites_and_rows_without_a_site_count_for_none()
    {
        Assert.Empty(SiteMetrics.Of(Evaluation(_ => null)));
        var partly = SiteMetrics.Of(Evaluation(i => i < 6 ? "hospital-a" : ""));
        Assert.Equal(["hospital-a"], partly.Keys);
        Assert.Equal(0.8888888888888888, partly["hospital-a"]["auroc"]!.Value, 12);
    }
}
