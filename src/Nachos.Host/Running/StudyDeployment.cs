using Nachos.Shared.Spec;
using Nachos.Shared.SpecLoading;
using Nachos.Shared.Study;

namespace Nachos.Host.Running;

/// <summary>
/// DACHOS for a study that finished without <c>deploy:</c> (<c>nachos deploy RUN_DIR</c>). The study is not reopened: its
/// run directory's spec, split plan, journal and report stay as they are. The deploy run is the same study with
/// <c>deploy:</c> added, in its own run directory <see cref="RunLayout.DeployDirectory"/> (own journal, spec copy and plan),
/// taking the outer folds' results from the finished study (<see cref="DeployOrigin"/>) and running only the deploy fold.
/// Its study name, seeds and deploy fold are those of the same spec run with <c>deploy:</c> from the start.
/// </summary>
public static class StudyDeployment
{
    /// <summary>A finished study ready to deploy: its spec as stored, where its relative paths resolve from, and its report.</summary>
    public sealed record Finished(StudySpec Spec, string SpecText, string SpecSource, StudyReport Report);

    /// <summary>Checks that <paramref name="runDir"/> holds a finished, complete study not deployed yet.</summary>
    /// <exception cref="DeployException">naming what is wrong.</exception>
    public static Finished Check(string runDir)
    {
        if (!Directory.Exists(runDir)) throw new DeployException($"{runDir}: no such run directory");
        var specPath = RunLayout.SpecPath(runDir);
        if (!File.Exists(specPath) || !File.Exists(RunLayout.SpecSourcePath(runDir)) || !File.Exists(RunLayout.SplitsPath(runDir)))
            throw new DeployException($"{runDir}: not a run directory ({RunLayout.Spec}, {RunLayout.SpecSource} or {RunLayout.Splits} missing)");
        StudySpec spec;
        try
        {
            spec = RunDirectoryCatalog.LoadSpec(runDir)!;
        }
        catch (SpecException e)
        {
            throw new DeployException($"{specPath}: {e.Message}");
        }
        if (spec.Deploy is { } own)
            throw new DeployException($"{runDir}: study {spec.Name} is already deployed: its spec has a deploy: section (final: {SpecNames.NameOf(SpecNames.FinalModels, own.Final)})"
                                      + $"; bundle it with nachos bundle {runDir} --final");
        var deployed = RunLayout.DeployDirectory(runDir);
        if (File.Exists(RunLayout.ReportPath(deployed)))
        {
            var failure = ReadOrNull(RunLayout.ReportPath(deployed)) is { Complete: false } failed ? string.Join("; ", failed.Faults()) : null;
            throw new DeployException(failure is null
                ? $"{runDir}: study {spec.Name} is already deployed ({RunLayout.ReportPath(deployed)} exists); bundle it with nachos bundle {runDir} --final"
                : $"{runDir}: study {spec.Name} was deployed, but its deploy run failed ({failure}; {RunLayout.ReportPath(deployed)}); move {deployed} away to try again");
        }
        var reportPath = RunLayout.ReportPath(runDir);
        if (!File.Exists(reportPath))
            throw new DeployException($"{runDir}: study {spec.Name} has not finished ({RunLayout.Report} missing); finish it first (nachos run resumes it)");
        StudyReport report;
        try
        {
            report = StudyReport.Read(reportPath);
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException or IOException)
        {
            throw new DeployException($"{reportPath}: not readable ({e.Message})");
        }
        if (!report.Complete)
            throw new DeployException($"{runDir}: study {spec.Name} did not complete ({string.Join("; ", report.Faults())}); the final model's expected performance would have no complete estimate");
        return new Finished(spec, File.ReadAllText(specPath), File.ReadAllText(RunLayout.SpecSourcePath(runDir)).Trim(), report);
    }

    private static StudyReport? ReadOrNull(string path)
    {
        try
        {
            return StudyReport.Read(path);
        }
        catch (Exception e) when (e is InvalidDataException or System.Text.Json.JsonException or IOException)
        {
            return null;
        }
    }

    /// <summary>The study's spec text with a <c>deploy:</c> section asking for <paramref name="final"/> appended.</summary>
    public static string WithDeploy(string specText, FinalModelKind final) =>
        specText.TrimEnd() + $"\n\n# added by nachos deploy: DACHOS on the finished study\ndeploy:\n  final: {SpecNames.NameOf(SpecNames.FinalModels, final)}\n";

    /// <summary>
    /// The run directory holding a study's final model: its own when its spec has <c>deploy:</c>, its deploy folder once
    /// <c>nachos deploy</c> finished there, null when it has none.
    /// </summary>
    public static string? FinalModelDirectory(string runDir, StudySpec spec) =>
        spec.Deploy is not null ? runDir
        : File.Exists(RunLayout.ReportPath(RunLayout.DeployDirectory(runDir))) ? RunLayout.DeployDirectory(runDir)
        : null;

    /// <summary>The origin of a deploy run in <paramref name="runDir"/> (a run directory's deploy folder), or null for any other.</summary>
    public static DeployOrigin? OriginOf(string runDir)
    {
        var full = Path.GetFullPath(runDir).TrimEnd(Path.DirectorySeparatorChar);
        if (Path.GetFileName(full) != RunLayout.Deploy || Path.GetDirectoryName(full) is not { } parent) return null;
        var report = RunLayout.ReportPath(parent);
        return File.Exists(report) && File.Exists(RunLayout.SpecPath(parent)) ? new DeployOrigin(parent, StudyReport.Read(report).Folds) : null;
    }
}

/// <summary>A run directory that cannot be deployed, in one line.</summary>
public sealed class DeployException(string message) : Exception(message);
