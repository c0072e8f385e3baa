using System.Globalization;
using Nachos.Shared.Spec;
using Nachos.Shared.Statistics;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Study;

/// <summary>How a hyperparameter's axis is drawn.</summary>
public enum ParameterScale { Linear, Log, Categorical }

/// <summary>One trial of a fold's search as the search plots show it: no score when it failed (or its metric was undefined).</summary>
public sealed record SearchPoint(int Trial, Hyperparameters Config, double? Score, bool Chosen, string? Failure);

/// <summary>A hyperparameter's axis: its scale, and for a categorical one its values in the spec's order (then any others seen).</summary>
public sealed record SearchParameter(string Name, ParameterScale Scale, IReadOnlyList<string> Categories);

/// <summary>
/// One hyperparameter's importance in a fold's search: <see cref="Method"/> is <see cref="SearchPlots.SpearmanMethod"/> for a
/// numeric parameter and <see cref="SearchPlots.EtaMethod"/> for a categorical one, over the <see cref="Trials"/> scored trials that
/// have the parameter; null when undefined there (fewer than three, or the parameter or the score did not vary).
/// </summary>
public sealed record ParameterImportance(string Parameter, string Method, double? Value, int Trials);

/// <summary>
/// One fold's search, shaped for its plots: the trials by number, the best score so far after each, the parameters'
/// axes and their importance. <see cref="Deploy"/>: the deploy fold (DACHOS), whose outer index is the number of outer folds.
/// </summary>
public sealed record FoldSearch(int Outer, bool Deploy, IReadOnlyList<SearchPoint> Points, IReadOnlyList<double?> BestSoFar,
    IReadOnlyList<SearchParameter> Parameters, IReadOnlyList<ParameterImportance> Importance);

/// <summary>What the study page's search plots show, computed from the report and the search spec alone.</summary>
public static class SearchPlots
{
    public const string SpearmanMethod = "Spearman ρ²";
    public const string EtaMethod = "correlation ratio η²";

    /// <summary>Every outer fold's search, then the deploy fold's when the study has one.</summary>
    public static IReadOnlyList<FoldSearch> Of(StudyReport report, SearchSpec search) =>
        report.Folds.Select(f => Fold(f, false, search))
            .Concat(report.Deploy is { } deploy ? [Fold(deploy, true, search)] : [])
            .ToList();

    public static FoldSearch Fold(FoldResult fold, bool deploy, SearchSpec search)
    {
        var points = fold.Trials.OrderBy(t => t.Trial)
            .Select(t => new SearchPoint(t.Trial, t.Config, t.Failed ? null : Finite(t.Score), t.Trial == fold.ChosenTrial, t.Failure))
            .ToList();
        var names = search.Space.Select(p => p.Name).Where(n => points.Any(p => p.Config.Values.ContainsKey(n)))
            .Concat(points.SelectMany(p => p.Config.Values.Keys).Where(n => search.Space.All(s => s.Name != n)).Distinct().Order(StringComparer.Ordinal))
            .ToList();
        var parameters = names.Select(n => Parameter(n, search.Space.FirstOrDefault(s => s.Name == n),
            points.Select(p => p.Config.Values.GetValueOrDefault(n)).OfType<string>().ToList())).ToList();
        return new FoldSearch(fold.Outer, deploy, points, BestSoFar(points, search.Maximise), parameters, parameters.Select(p => Importance(p, points)).ToList());
    }

    /// <summary>After each trial (in trial order), the best score of it and the trials before it; null until one has a score.</summary>
    public static IReadOnlyList<double?> BestSoFar(IReadOnlyList<SearchPoint> points, bool maximise)
    {
        double? best = null;
        var result = new List<double?>(points.Count);
        foreach (var p in points)
        {
            if (p.Score is { } s && (best is not { } b || (maximise ? s > b : s < b))) best = s;
            result.Add(best);
        }
        return result;
    }

    /// <summary>
    /// The axis of a parameter: log for the spec's log-uniform and power-of-two ranges, linear for uniform and int, strips for
    /// categorical ones; a parameter outside the spec's space is linear when every value is a number. A value that is not a
    /// number (or not positive, on a log axis) makes the axis categorical: it would have no place on the other.
    /// </summary>
    public static SearchParameter Parameter(string name, ParamSpec? spec, IReadOnlyList<string> values)
    {
        var numbers = values.Select(Number).ToList();
        var scale = spec?.Kind switch
        {
            ParamKind.Categorical => ParameterScale.Categorical,
            ParamKind.LogUniform or ParamKind.PowerOfTwo => ParameterScale.Log,
            _ => ParameterScale.Linear,
        };
        if (scale == ParameterScale.Log && numbers.Any(v => v is not > 0)) scale = ParameterScale.Categorical;
        if (scale == ParameterScale.Linear && numbers.Any(v => v is null)) scale = ParameterScale.Categorical;
        if (scale != ParameterScale.Categorical) return new SearchParameter(name, scale, []);
        var categories = (spec?.Kind == ParamKind.Categorical ? spec.Values : []).Distinct()
            .Concat(values.Distinct().Order(StringComparer.Ordinal)).Distinct().Where(values.Contains).ToList();
        return new SearchParameter(name, scale, categories);
    }

    /// <summary>
    /// The score axis's range: the scores with a margin of 5 % of their span (at least 0.01), within [0, 1] for a proportion
    /// (every search metric but the loss and the surface distances), at or above 0 for those.
    /// </summary>
    public static (double Low, double High) ScoreRange(string metric, IEnumerable<double> scores)
    {
        var values = scores.Where(double.IsFinite).ToList();
        var bounded = !SpecNames.Minimised(metric);
        if (values.Count == 0) return (0, 1);
        var (min, max) = (values.Min(), values.Max());
        var margin = Math.Max(0.05 * (max - min), 0.01 * Math.Max(1, Math.Abs(max)));
        var (low, high) = (min - margin, max + margin);
        return bounded ? (Math.Max(0, low), Math.Min(1, high)) : (Math.Max(0, low), high);
    }

    /// <summary>A value as a finite number, or null.</summary>
    public static double? Number(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : null;

    private static ParameterImportance Importance(SearchParameter parameter, IReadOnlyList<SearchPoint> points)
    {
        var scored = points.Where(p => p.Score is not null && p.Config.Values.ContainsKey(parameter.Name)).ToList();
        var scores = scored.Select(p => p.Score!.Value).ToList();
        if (parameter.Scale == ParameterScale.Categorical)
            return new ParameterImportance(parameter.Name, EtaMethod, Association.CorrelationRatio(scored.Select(p => p.Config.Values[parameter.Name]).ToList(), scores), scored.Count);
        var rho = Association.Spearman(scored.Select(p => Number(p.Config.Values[parameter.Name])!.Value).ToList(), scores);
        return new ParameterImportance(parameter.Name, SpearmanMethod, rho * rho, scored.Count);
    }

    private static double? Finite(double? v) => v is { } x && double.IsFinite(x) ? x : null;
}
