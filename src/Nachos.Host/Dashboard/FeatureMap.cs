using Nachos.Shared.Projection;
using Nachos.Shared.Spec;
using Nachos.Training.Explain;

namespace Nachos.Host.Dashboard;

/// <summary>One case on the feature map: its first two principal components, its true label (as text), its site (null: none) and whether the prediction was wrong.</summary>
public sealed record FeaturePoint(string SampleId, double X, double Y, string Label, string? Site, bool Wrong);

/// <summary>A model's feature map: its points, the share of variance the two axes explain, or why there is none.</summary>
public sealed record FeatureMapView(IReadOnlyList<FeaturePoint> Points, IReadOnlyList<double> VarianceRatio, int Cases, string? Unavailable)
{
    /// <summary>Whether the cases come from more than one acquisition site (the map is then also drawn coloured by site).</summary>
    public bool HasSites => Points.Select(p => p.Site).Distinct().Count() > 1;

    public static FeatureMapView None(string why) => new([], [], 0, why);
}

/// <summary>
/// The penultimate-layer features (what the final linear layer reads) of a classification model's evaluated cases,
/// projected on their first two principal components (<see cref="Pca"/>): does the network separate the classes, and
/// where do its errors lie.
/// </summary>
public static class FeatureMap
{
    /// <summary>At most this many cases are projected (every k-th in sample id order beyond it), to bound a page's time.</summary>
    public const int MaxCases = 1000;

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
            return new FeatureMapView(points, fit.ExplainedVarianceRatio, ranked.Count, null);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return FeatureMapView.None($"The feature map could not be computed: {e.Message}");
        }
    }

    /// <summary>The class name; multi-label: the present labels joined, or "none".</summary>
    public static string Label(ModelEvaluation model, IReadOnlyList<int> labels) => model.Task == TaskKind.Multilabel
        ? labels.Any(l => l == 1) ? string.Join(" + ", model.Classes.Where((_, i) => labels[i] == 1)) : "none"
        : model.Classes[labels[0]];
}
