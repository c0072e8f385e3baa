using Nachos.Shared.Spec;

namespace Nachos.Shared.Registry;

/// <summary>How a task's registered models are ranked (<c>nachos model list --sort</c> and the dashboard's models page).</summary>
public static class RegistryRanking
{
    /// <summary>The prefix of a sort key that ranks by the NACHOS estimate's mean instead of the evaluation.</summary>
    public const string ExpectedPrefix = "nachos:";

    /// <summary>The evaluation metric a sort key names (<c>nachos:auroc</c> → <c>auroc</c>).</summary>
    public static string Metric(string sort) => sort.StartsWith(ExpectedPrefix, StringComparison.Ordinal) ? sort[ExpectedPrefix.Length..] : sort;

    /// <summary>Every metric recorded by any of the models, in first-seen order.</summary>
    public static IReadOnlyList<string> RecordedMetrics(IEnumerable<RegisteredModel> models) => models.SelectMany(x => x.Metrics.Keys).Distinct().ToList();

    /// <summary>The value a model is ranked by, when it has one.</summary>
    public static double? Value(RegisteredModel model, string sort) =>
        sort.StartsWith(ExpectedPrefix, StringComparison.Ordinal) ? model.ExpectedMean(Metric(sort)) : model.Metrics.GetValueOrDefault(sort);

    /// <summary>The models ranked best first by <paramref name="sort"/> (lower first for minimised metrics; undefined values last, then by id).</summary>
    public static IReadOnlyList<RegisteredModel> Ranked(IReadOnlyList<RegisteredModel> models, string sort)
    {
        var sign = SpecNames.Minimised(Metric(sort)) ? 1 : -1;
        return models.OrderBy(x => Value(x, sort) is null).ThenBy(x => Value(x, sort) is { } v ? sign * v : 0).ThenBy(x => x.Id).ToList();
    }
}
