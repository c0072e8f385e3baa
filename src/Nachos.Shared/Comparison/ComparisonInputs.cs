using System.Globalization;
using Nachos.Shared.Predictions;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Comparison;

/// <summary>
/// Reads a finished study for a comparison from its run directory alone (the dataset is not needed): report.json,
/// splits.json and every outer fold's refit predictions.csv. Anything missing, unfinished or unreadable is a
/// <see cref="ComparisonException"/> naming the file.
/// </summary>
public static class ComparisonInputs
{
    public static ComparedStudy Load(string runDir, StudySpec spec)
    {
        var reportPath = RunLayout.ReportPath(runDir);
        if (!File.Exists(reportPath)) throw new ComparisonException($"{reportPath}: missing; the study '{spec.Name}' has not finished");
        StudyReport report;
        try { report = StudyReport.Read(reportPath); }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidDataException) { throw new ComparisonException($"{reportPath}: not a study report"); }
        if (!report.Complete)
            throw new ComparisonException($"{runDir}: the study '{report.StudyId}' did not finish every outer fold ({report.Faults().FirstOrDefault() ?? "its report is incomplete"})");

        var splitsPath = RunLayout.SplitsPath(runDir);
        SplitPlan plan;
        try { plan = SplitPlan.Read(splitsPath); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { throw new ComparisonException($"{splitsPath}: missing"); }
        catch (System.Text.Json.JsonException) { throw new ComparisonException($"{splitsPath}: not a split plan"); }
        catch (InvalidDataException e) { throw new ComparisonException(e.Message); }

        var pooled = new Dictionary<string, PooledPrediction>(StringComparer.Ordinal);
        foreach (var fold in plan.Outer)
        {
            var file = RunLayout.PredictionsPath(RunLayout.TaskDirectory(runDir, TaskAddress.Refit(report.StudyId, fold.Index)));
            foreach (var (id, prediction) in TestPredictions(file, spec, fold)) pooled[id] = prediction;
        }
        return new ComparedStudy(runDir, report.StudyId, spec.Task, spec.Dataset.Classes, plan, spec.Search.Metric, report.Folds, pooled);
    }

    private static IEnumerable<(string, PooledPrediction)> TestPredictions(string file, StudySpec spec, OuterFold fold)
    {
        PredictionsTable table;
        try { table = PredictionsFile.Read(file, spec.Task); }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { throw new ComparisonException($"{file}: missing (outer fold {fold.Index}'s refit test predictions)"); }
        catch (InvalidDataException e) { throw new ComparisonException(e.Message); }
        catch (IOException e) { throw new ComparisonException($"{file}: unreadable ({e.GetType().Name})"); }
        if (!table.Classes.SequenceEqual(spec.Dataset.Classes))
            throw new ComparisonException($"{file}: its p_ columns ({string.Join(", ", table.Classes)}) are not the study's classes ({string.Join(", ", spec.Dataset.Classes)})");
        var segmentation = spec.Task == TaskKind.Segmentation;
        if (segmentation && !table.ExtraColumns.Contains("dice")) throw new ComparisonException($"{file}: no column 'dice' in the header line");
        var rows = table.Rows.Where(r => r.Set == "test").ToDictionary(r => r.SampleId, StringComparer.Ordinal);
        var lacking = fold.Test.Count(id => !rows.ContainsKey(id));
        if (lacking > 0) throw new ComparisonException($"{file}: lacks {lacking} of outer fold {fold.Index}'s {fold.Test.Count} test samples");
        foreach (var id in fold.Test)
        {
            var row = rows[id];
            double? dice = null;
            if (segmentation && row.Extra!["dice"] is { Length: > 0 } text)
                dice = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
                    ? v : throw new ComparisonException($"{file}: sample '{id}': column 'dice' is not a number");
            yield return (id, new PooledPrediction(fold.Index, row.Labels, row.Probabilities, dice));
        }
    }
}
