using Nachos.Shared.Tasks;

namespace Nachos.Host.Dashboard;

/// <summary>Where the pages of a study link to: the same pages work served over HTTP and as sections of one exported file.</summary>
public interface IPageLinks
{
    string Study { get; }
    string Model(TaskAddress model);

    /// <summary>The study's trials.csv when a server serves it; null in an exported file (which holds it as a data link).</summary>
    string? TrialsCsv { get; }
}

/// <summary>Pages served by the HTTP server: <c>/studies/{id}</c> and <c>/studies/{id}/models/o{k}/t{n}/s{j}</c>.</summary>
public sealed class ServedLinks(string studyId) : IPageLinks
{
    private readonly string _root = "/studies/" + Uri.EscapeDataString(studyId);

    public string Study => _root;

    public string Model(TaskAddress model) => $"{_root}/models/{model.Folder}";

    public string? TrialsCsv => $"{_root}/{Nachos.Shared.Study.TrialTable.FileName}";
}

/// <summary>Sections of one HTML file: anchors to the section ids.</summary>
public sealed class AnchorLinks : IPageLinks
{
    public const string StudyAnchor = "study";

    public string Study => "#" + StudyAnchor;

    public string Model(TaskAddress model) => "#" + model.Anchor;

    public string? TrialsCsv => null;
}
