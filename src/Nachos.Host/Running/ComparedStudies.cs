using Nachos.Shared.Comparison;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;

namespace Nachos.Host.Running;

/// <summary>Run directories read for <c>nachos compare</c> and the dashboard's comparison page.</summary>
public static class ComparedStudies
{
    /// <summary>The studies, each read whole, then checked to be comparable; a <see cref="ComparisonException"/> names the first fault.</summary>
    /// <param name="metric">The metric to compare; null: <see cref="StudyComparer.DefaultMetric"/>.</param>
    public static StudyComparison Compare(IReadOnlyList<string> runDirs, string? metric)
    {
        if (runDirs.Count < 2) throw new ComparisonException($"a comparison needs at least 2 run directories; got {runDirs.Count}");
        if (StudyEnsembles.Repeated(runDirs) is var (first, again))
            throw new ComparisonException($"{first} and {again}: the same run directory given twice");
        var studies = runDirs.Select(Load).ToList();
        if (StudyComparer.Mismatch(studies) is { } mismatch) throw new ComparisonException(mismatch);
        return StudyComparer.Compare(studies, metric ?? StudyComparer.DefaultMetric(studies));
    }

    public static ComparedStudy Load(string runDir)
    {
        if (!Directory.Exists(runDir)) throw new ComparisonException($"{runDir}: no such run directory");
        StudySpec spec;
        try
        {
            spec = RunDirectoryCatalog.LoadSpec(runDir) ?? throw new ComparisonException($"{RunLayout.SpecPath(runDir)}: missing; not a run directory");
        }
        catch (Exception e) when (e is SpecException or IOException or UnauthorizedAccessException)
        {
            throw new ComparisonException($"{RunLayout.SpecPath(runDir)}: {e.Message}");
        }
        return ComparisonInputs.Load(runDir, spec);
    }
}
