using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;

namespace Nachos.Host.Running;

/// <summary>A finished study's <see cref="ResultStatement"/>, from its run directory.</summary>
public static class StudyResult
{
    /// <returns>Null when the run directory has no readable spec or split plan (then there is nothing to state it from).</returns>
    public static ResultStatement? Load(string runDir, StudyReport report)
    {
        string specText;
        StudySpec spec;
        SplitPlan plan;
        try
        {
            specText = File.ReadAllText(RunLayout.SpecPath(runDir));
            spec = RunDirectoryCatalog.LoadSpec(runDir)!;
            plan = SplitPlan.Read(RunLayout.SplitsPath(runDir));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or SpecException or InvalidDataException or System.Text.Json.JsonException)
        {
            return null;
        }
        Manifest? manifest = null;
        string? unreadable = null;
        try
        {
            manifest = RunDirectoryCatalog.LoadManifest(spec);
        }
        catch (Exception e) when (e is DataException or IOException or UnauthorizedAccessException or InvalidDataException)
        {
            unreadable = e.Message;
        }
        return ResultStatement.Of(report, spec, specText, plan, manifest, unreadable, Provenance(runDir));
    }

    private static RunProvenance Provenance(string runDir)
    {
        static DateTime? Written(string path) => File.Exists(path) ? File.GetLastWriteTimeUtc(path) : null;
        var software = RunLayout.SoftwarePath(runDir);
        // One short line: the file is the user's and is shown on pages and terminals.
        var line = File.Exists(software) ? File.ReadLines(software).FirstOrDefault()?.Trim() : null;
        return new RunProvenance(line is { Length: > 0 } ? line[..Math.Min(line.Length, 200)] : null,
            Written(RunLayout.SpecPath(runDir)), Written(RunLayout.ReportPath(runDir)));
    }
}
