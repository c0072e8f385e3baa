using Nachos.Shared.Registry;

namespace Nachos.Host.Dashboard;

/// <summary>
/// The files a finished study's served page links for download: /studies/{id}/report.json, report.csv (when the study
/// wrote one), report.html (the one-file export) and the archive of each bundle registered from the study.
/// </summary>
public static class StudyDownloads
{
    public const string Json = "report.json";
    public const string Csv = "report.csv";
    public const string Html = "report.html";

    /// <summary>The report format (as the API's ?format= takes it) a download's file name serves, or null.</summary>
    public static string? Format(string file) => file switch
    {
        Json => "json",
        Csv => "csv",
        Html => "html",
        _ => null,
    };

    public static IReadOnlyList<(string Href, string Label)> Of(string studyId, bool hasCsv, IEnumerable<RegisteredModel> bundles)
    {
        var root = "/studies/" + Uri.EscapeDataString(studyId) + "/";
        var files = new List<(string, string)> { (root + Json, Json) };
        if (hasCsv) files.Add((root + Csv, Csv));
        files.Add((root + Html, Html + " (one file, offline)"));
        files.AddRange(bundles.Select(Link));
        return files;
    }

    /// <summary>The latest registered bundle of the study's final model (its source task is the final model's), or null.</summary>
    public static (string Href, string Label)? FinalBundle(Nachos.Shared.Bundle.FinalModel? final, IEnumerable<RegisteredModel> bundles) =>
        final is null ? null
        : bundles.Where(m => m.SourceTask == final.TaskId).OrderByDescending(m => m.RegisteredAt).FirstOrDefault() is { } model ? Link(model) : null;

    private static (string Href, string Label) Link(RegisteredModel m) => (RegistryLinks.Bundle(m.Task, m.Version), $"bundle: {m.Task} v{m.Version} (model {m.Id})");
}
