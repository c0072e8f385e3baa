using System.Text;
using Nachos.Shared.Tasks;

namespace Nachos.Host.Dashboard;

/// <summary>
/// The dashboard as HTML strings, from a run directory only: the study page, one page per model, and the
/// whole study as one self-contained file. Links follow <see cref="IPageLinks"/>, so the same pages can be
/// served or exported.
/// </summary>
public sealed class DashboardRenderer(StudyRun run)
{
    public string StudyPage(IPageLinks links) =>
        Html.Document($"{run.StudyId}: study", StudySection.Render(run, links));

    /// <param name="images">How case images appear; default: inline in each &lt;img&gt;.</param>
    public string ModelPage(TaskAddress model, IPageLinks links, ICaseImageTags? images = null) =>
        Html.Document($"{run.StudyId}: {model.Title}", ModelSection.Render(run, model, links, images ?? new InlineImages(run.Images)));

    /// <summary>One file for sharing: the study page and every model page as sections linked by anchors, nothing external.</summary>
    public string Export()
    {
        var links = new AnchorLinks();
        var images = new SharedImages(run.Images);
        var body = new StringBuilder();
        body.Append($"<section id=\"{AnchorLinks.StudyAnchor}\">\n").Append(StudySection.Render(run, links)).Append("</section>\n");
        foreach (var model in run.Models)
            body.Append($"<section class=\"model\" id=\"{model.Anchor}\">\n").Append(ModelSection.Render(run, model, links, images)).Append("</section>\n");
        body.Append(images.Store());
        return Html.Document($"{run.StudyId}: nested cross-validation report", body.ToString());
    }
}
