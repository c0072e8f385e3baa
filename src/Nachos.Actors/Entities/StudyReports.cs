using Nachos.Shared.Robustness;
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
        var deploy = folds.FirstOrDefault(f => f.Outer == context.Plan.DeployIndex && context.Plan.Deploy is not null);
        folds = folds.Where(f => f != deploy).ToList();
        try
        {
            var refits = folds.Where(f => f.Failure is null).Select(f => new RefitArtifact(f.Outer,
                RunLayout.PredictionsPath(context.TaskDirectory(TaskAddress.Refit(id, f.Outer))), context.Plan.Outer[f.Outer].Test));
            var inputs = ReportInputs.Read(refits, context.Manifest, context.Spec.Evaluation.Threshold.ChosenOnValidation ? Inner(context, deploy is null ? folds : [.. folds, deploy]) : null);
            return StudyReport.Build(id, context.Spec, context.Manifest, folds, inputs.Predictions, inputs.Problems, inputs.Validation, deploy);
        }
        catch (Exception e)
        {
            // Thrown again on every start, this would restart the entity forever; it is a problem of the report instead.
            return StudyReport.Unbuilt(id, folds, [$"report: not built ({e.GetType().Name}: {e.Message})"], deploy);
        }
    }

    /// <summary>Per fold that chose a configuration (the deploy fold too: the final model's threshold), its chosen trial's inner task predictions files: what its threshold is chosen on.</summary>
    private static IEnumerable<InnerArtifact> Inner(StudyContext context, IReadOnlyList<FoldResult> folds) =>
        folds.Where(f => f.Failure is null && f.ChosenTrial is not null).Select(f => new InnerArtifact(f.Outer,
            Enumerable.Range(0, context.Plan.Fold(f.Outer).Inner.Count).Select(j => RunLayout.PredictionsPath(
                context.TaskDirectory(TaskAddress.InnerSplit(context.Spec.Name, f.Outer, f.ChosenTrial!.Value, j)))).ToList()));

    /// <summary>
    /// One attempt at the report of a study in <paramref name="state"/>: built, written when it has no problems (or when it
    /// is final), with what the state decides about it. It never throws: whatever fails is a problem of the report, or the
    /// study would wait for it forever.
    /// </summary>
    public static (StudyReport Report, ReportDecision Decision) Attempt(IStudyCatalog catalog, string studyId, IReadOnlyList<FoldResult> folds, StudyState state)
    {
        try
        {
            var context = catalog.Get(studyId);
            var report = Build(context, folds);
            if (report.Problems is null) report = Write(report, context.RunDir);
            var decision = state.DecideReport(report);
            // A report with problems is written once it is final (one without was written above).
            if (decision is FinishStudy && report.Problems is not null) report = Write(report, context.RunDir);
            if (decision is FinishStudy) WriteRobustness(context, report);
            return (report, decision);
        }
        catch (Exception e)
        {
            var unbuilt = StudyReport.Unbuilt(studyId, folds, [$"report: not built ({e.GetType().Name}: {e.Message})"]);
            return (unbuilt, state.DecideReport(unbuilt));
        }
    }

    /// <summary>
    /// robustness.json from the outer folds' stress tasks (docs/robustness.md), once the report is final. Not written (null: nothing
    /// to say) without <c>robustness:</c>, for a deploy run, or when a fold that succeeded has no stress result (folds journalled before
    /// stress tasks: <c>nachos run</c> then stress-tests in its own process); otherwise what went wrong, for the caller to show.
    /// </summary>
    public static string? WriteRobustness(StudyContext context, StudyReport report)
    {
        if (context.Spec.Robustness is not { } robustness || context.Origin is not null) return null;
        try
        {
            var selection = StressSelection.Of(robustness);
            var folds = new List<StressFold>();
            var failures = new List<string>();
            foreach (var fold in report.Folds.Where(f => f.Failure is null))
            {
                if (fold.StressFailure is { } failure)
                {
                    failures.Add($"outer fold {fold.Outer}: {failure}");
                    continue;
                }
                var path = RunLayout.StressPath(context.TaskDirectory(TaskAddress.Stress(context.Spec.Name, fold.Outer)));
                if (!File.Exists(path)) return null;
                folds.Add(StressFold.Read(path));
            }
            if (folds.Count == 0 && failures.Count == 0) return null;
            RobustnessReport.Of(context.Spec, report, context.Manifest.Classes, folds, selection, failures).Write(context.RunDir);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or FormatException)
        {
            return $"{RobustnessReport.PathIn(context.RunDir)}: not written ({e.Message})";
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
