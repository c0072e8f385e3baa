using Nachos.Shared.Tasks;

namespace Nachos.Host.Dashboard;

/// <summary>
/// The dashboard as HTML strings, from a run directory only: the study page, one page per model, and the
/// whole study as one self-contained file. Links follow <see cref="IPageLinks"/>, so the same pages can be
/// served or exported. The pages are Razor components (<see cref="StudyPage"/>, <see cref="ModelPage"/>,
/// <see cref="ExportPage"/>) rendered by <see cref="PageRenderer"/>.
/// </summary>
public sealed class DashboardRenderer(StudyRun run)
{
    /// <param name="downloads">The files the served page links for download (<see cref="StudyDownloads"/>); none by default.</param>
    /// <param name="finalBundle">The final model's registered bundle, linked in its block; none by default.</param>
    public string StudyPage(IPageLinks links, IReadOnlyList<(string Href, string Label)>? downloads = null, (string Href, string Label)? finalBundle = null) =>
        PageRenderer.Render<StudyPage>(new Dictionary<string, object?>
        {
            [nameof(Dashboard.StudyPage.Run)] = run,
            [nameof(Dashboard.StudyPage.Links)] = links,
            [nameof(Dashboard.StudyPage.Downloads)] = downloads ?? [],
            [nameof(Dashboard.StudyPage.FinalBundle)] = finalBundle,
        });

    /// <param name="images">How case images appear; default: inline in each &lt;img&gt;.</param>
    public string ModelPage(TaskAddress model, IPageLinks links, ICaseImageTags? images = null) => PageRenderer.Render<ModelPage>(new Dictionary<string, object?>
    {
        [nameof(Dashboard.ModelPage.Run)] = run,
        [nameof(Dashboard.ModelPage.Key)] = model,
        [nameof(Dashboard.ModelPage.Links)] = links,
        [nameof(Dashboard.ModelPage.Images)] = images ?? new InlineImages(run.Images),
    });

    /// <summary>One file for sharing: the study page and every model page as sections linked by anchors, nothing external.</summary>
    public string Export() =>
        PageRenderer.Render<ExportPage>(new Dictionary<string, object?> { [nameof(ExportPage.Run)] = run });
}
