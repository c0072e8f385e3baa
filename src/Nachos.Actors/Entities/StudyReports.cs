using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Actors.Entities;

/// <summary>Builds a study's report from its fold results and the refits' test predictions, and writes it to the run directory.</summary>
public static class StudyReports
{
    /// <summary>The report, with a problem for every refit artifact it could not use; it never throws.</summary>
    public static StudyReport Build(StudyContext context, IReadOnlyList<FoldResult> folds)
    {
        var id = context.Spec.Name;
        try
        {
            var refits = folds.Where(f => f.Failure is null).Select(f => new RefitArtifact(f.Outer,
                RunLayout.PredictionsPath(RunLayout.TaskDirectory(context.RunDir, TaskAddress.Refit(id, f.Outer))), context.Plan.Outer[f.Outer].Test));
            var inputs = ReportInputs.Read(refits, context.Manifest);
            return StudyReport.Build(id, context.Spec, context.Manifest, folds, inputs.Predictions, inputs.Problems);
        }
        catch (Exception e)
        {
            // Thrown again on every start, this would restart the entity forever; it is a problem of the report instead.
            return StudyReport.Unbuilt(id, folds, [$"report: not built ({e.GetType().Name}: {e.Message})"]);
        }
    }

    /// <summary>Writes the report's files; a failure to is one more problem of the report, naming the run directory.</summary>
    public static StudyReport Write(StudyReport report, string runDir)
    {
        try
        {
            report.Write(runDir);
            return report;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return report with { Complete = false, Problems = [.. report.Problems ?? [], $"report files in {runDir}: not written ({e.Message})"] };
        }
    }
}
