using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Actors.Entities;

/// <summary>Builds a study's report from its fold results and the refits' test predictions, and writes it to the run directory.</summary>
public static class StudyReports
{
    public static StudyReport BuildAndWrite(StudyContext context, IReadOnlyList<FoldResult> folds)
    {
        var id = context.Spec.Name;
        var predictions = new Dictionary<int, IReadOnlyList<Prediction>>();
        foreach (var f in folds.Where(f => f.Failure is null))
        {
            var file = RunLayout.PredictionsPath(RunLayout.TaskDirectory(context.RunDir, TaskAddress.Refit(id, f.Outer)));
            if (File.Exists(file)) predictions[f.Outer] = Prediction.Read(file, "test", context.Manifest);
        }
        var report = StudyReport.Build(id, context.Spec, context.Manifest, folds, predictions);
        report.Write(context.RunDir);
        return report;
    }
}
