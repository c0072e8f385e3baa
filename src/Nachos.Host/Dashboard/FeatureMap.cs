using Nachos.Shared.Projection;
using Nachos.Shared.Spec;
using Nachos.Training.Explain;

namespace Nachos.Host.Dashboard;

/// <summary>One case on a feature map: its two coordinates (principal components, or t-SNE's), its true label (as text), its site (null: none) and whether the prediction was wrong.</summary>
public sealed record FeaturePoint(string SampleId, double X, double Y, string Label, string? Site, bool Wrong);

/// <summary>The t-SNE map of a feature map's cases (all of them, or every k-th when there are more than <see cref="FeatureMap.MaxTsneCases"/>), with the perplexity used, the KL divergence reached and the iterations run.</summary>
public sealed record TsneView(IReadOnlyList<FeaturePoint> Points, double Perplexity, double KlDivergence, int Iterations);

/// <summary>A model's feature map: its points on the principal components, the share of variance the two axes explain, its t-SNE map, or why there is none.</summary>
public sealed record FeatureMapView(IReadOnlyList<FeaturePoint> Points, IReadOnlyList<double> VarianceRatio, int Cases, string? Unavailable, TsneView? Tsne = null)
{
    /// <summary>Whether the cases come from more than one acquisition site (the map is then also drawn coloured by site).</summary>
    public bool HasSites => Points.Select(p => p.Site).Distinct().Count() > 1;

    public static FeatureMapView None(string why) => new([], [], 0, why);
}

/// <summary>
/// The penultimate-layer features (what the final linear layer reads) of a classification model's evaluated cases,
/// projected on their first two principal components (<see cref="Pca"/>) and mapped by t-SNE (<see cref="Tsne"/>, started
/// from those components): does the network separate the classes, and where do its errors lie.
/// </summary>
public static class FeatureMap
{
    /// <summary>At most this many cases are projected (every k-th in sample id order beyond it), to bound a page's time.</summary>
    public const int MaxCases = 1000;

    /// <summary>
    /// At most this many of those cases get a t-SNE map (every k-th beyond it): exact t-SNE is O(n²) per iteration, and
    /// 1,000 cases took 3–9 s on a busy 2-core machine against under 1 s for 500 (docs/evaluation.md).
    /// </summary>
    public const int MaxTsneCases = 500;

    public static FeatureMapView Of(StudyRun run, ModelEvaluation model, IReadOnlyList<RankedCase> ranked)
    {
        if (run.Spec.Execution.Trainer != TrainerKind.Torch)
            return FeatureMapView.None("No feature map: this study's trainer is simulated, so its models have no network features.");
        if (model.Task == TaskKind.Segmentation) return FeatureMapView.None("No feature map for segmentation models.");
        if (ranked.Count < 3) return FeatureMapView.None("No feature map: fewer than 3 cases.");
        var ordered = ranked.OrderBy(c => c.Case.SampleId, StringComparer.Ordinal).ToList();
        var step = (int)Math.Ceiling(ordered.Count / (double)MaxCases);
        var cases = ordered.Where((_, i) => i % step == 0).ToList();
        try
        {
            var ids = cases.Select(c => c.Case.SampleId).ToList();
            var (data, config, norm) = TaskInputs.Of(run, model, ids);
            var features = TaskExplanations.PenultimateFeatures(run.Spec, data, model.Key, model.Folder, config, norm, ids);
            var fit = Pca.Fit(features, 2);
            if (fit.Components.Length < 2) return FeatureMapView.None("No feature map: the features have fewer than 2 dimensions.");
            var points = cases.Select((c, i) => new FeaturePoint(c.Case.SampleId, fit.Scores[i][0], fit.Scores[i][1], Label(model, c.Case.Labels),
                data.Manifest.ById.GetValueOrDefault(c.Case.SampleId)?.Site, !c.Correct)).ToList();
            return new FeatureMapView(points, fit.ExplainedVarianceRatio, ranked.Count, null, TsneOf(features, fit, points));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return FeatureMapView.None($"The feature map could not be computed: {e.Message}");
        }
    }

    /// <summary>t-SNE of the features (every k-th case beyond <see cref="MaxTsneCases"/>) from the PCA already computed, at <see cref="Tsne.DefaultPerplexity"/>.</summary>
    public static TsneView TsneOf(IReadOnlyList<IReadOnlyList<double>> features, PcaFit fit, IReadOnlyList<FeaturePoint> points)
    {
        var step = (int)Math.Ceiling(points.Count / (double)MaxTsneCases);
        var kept = Enumerable.Range(0, points.Count).Where(i => i % step == 0).ToList();
        var perplexity = Tsne.DefaultPerplexity(kept.Count);
        var tsne = Tsne.Fit([.. kept.Select(i => features[i])], Tsne.Start([.. kept.Select(i => fit.Scores[i])]), new TsneOptions(perplexity));
        var mapped = kept.Select((i, k) => points[i] with { X = tsne.Embedding[k][0], Y = tsne.Embedding[k][1] }).ToList();
        return new TsneView(mapped, perplexity, tsne.KlDivergence, tsne.LastIteration + 1);
    }

    /// <summary>The class name; multi-label: the present labels joined, or "none".</summary>
    public static string Label(ModelEvaluation model, IReadOnlyList<int> labels) => model.Task == TaskKind.Multilabel
        ? labels.Any(l => l == 1) ? string.Join(" + ", model.Classes.Where((_, i) => labels[i] == 1)) : "none"
        : model.Classes[labels[0]];
}
