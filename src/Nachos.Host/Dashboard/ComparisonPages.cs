using Nachos.Shared.Comparison;

namespace Nachos.Host.Dashboard;

/// <summary>The comparison page (<see cref="ComparePage"/>) as HTML: served at /compare, or one self-contained file from <c>nachos compare --format html</c>.</summary>
public static class ComparisonPages
{
    /// <param name="studyLink">Where a study's name links (served pages); null: no links (an exported file).</param>
    public static string Page(StudyComparison comparison, Func<string, string?>? studyLink) => PageRenderer.Render<ComparePage>(new Dictionary<string, object?>
    {
        [nameof(ComparePage.Comparison)] = comparison,
        [nameof(ComparePage.StudyLink)] = studyLink,
    });
}
