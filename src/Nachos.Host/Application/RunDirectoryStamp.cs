using Nachos.Shared.LearningCurves;
using Nachos.Shared.Proxy;
using Nachos.Shared.Robustness;
using Nachos.Shared.Study;

namespace Nachos.Host.Application;

/// <summary>
/// What a finished study's pages show beyond its report: the files that commands add to its run directory later
/// (<c>nachos deploy</c>, <c>stress</c>, <c>learning-curve</c>, <c>proxy-check</c>, <c>ensemble</c>), each by name and
/// write time. A served page rendered under one stamp is stale under another.
/// </summary>
public static class RunDirectoryStamp
{
    private static readonly string[] AddedLater =
    [
        Path.Combine(RunLayout.Deploy, RunLayout.Report),
        RobustnessReport.FileName,
        LearningCurveReport.FileName,
        ProxyCheckFile.FileName,
        RunLayout.Calibration,
        RunLayout.Ensemble,
        RunLayout.EnsembleExternal,
        RunLayout.EnsembleStudies,
    ];

    public static string Of(string runDir) =>
        string.Join(";", AddedLater.Select(name => Path.Combine(runDir, name)).Where(File.Exists)
            .Select(path => $"{Path.GetRelativePath(runDir, path)}@{File.GetLastWriteTimeUtc(path).Ticks}"));
}
