using Nachos.Shared.Data;
using Nachos.Shared.Metrics.Segmentation;
using Nachos.Shared.Predictions;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Study;

/// <summary>A refit whose test predictions the report needs: its outer fold, its predictions file and the fold's test samples.</summary>
public sealed record RefitArtifact(int Outer, string PredictionsFile, IReadOnlyList<string> Test);

/// <summary>
/// The refits' test predictions a report is built from, and what stopped any of them from being used: a file missing,
/// unreadable, or lacking test samples. Each problem names its outer fold and file; none is skipped silently.
/// </summary>
public sealed record ReportInputs(IReadOnlyDictionary<int, IReadOnlyList<Prediction>> Predictions, IReadOnlyList<string> Problems)
{
    public static ReportInputs Read(IEnumerable<RefitArtifact> refits, Manifest manifest)
    {
        var predictions = new Dictionary<int, IReadOnlyList<Prediction>>();
        var problems = new List<string>();
        foreach (var refit in refits.OrderBy(r => r.Outer))
        {
            var file = refit.PredictionsFile;
            string? problem;
            try
            {
                var rows = TestPredictions(file, manifest);
                var lacking = refit.Test.Except(rows.Select(r => r.SampleId)).Count();
                problem = lacking > 0 ? $"{file}: lacks {lacking} of the fold's {refit.Test.Count} test samples" : null;
                if (problem is null) predictions[refit.Outer] = rows;
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                problem = $"{file}: missing";
            }
            catch (InvalidDataException e)
            {
                problem = e.Message;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problem = $"{file}: unreadable ({e.Message})";
            }
            if (problem is not null) problems.Add($"outer fold {refit.Outer}: refit test predictions {problem}");
        }
        return new ReportInputs(predictions, problems);
    }

    /// <summary>The file's test rows with the dataset's truth, the probabilities in the dataset's class order.</summary>
    private static IReadOnlyList<Prediction> TestPredictions(string file, Manifest manifest)
    {
        var table = PredictionsFile.Read(file, manifest.Task, manifest.ById.ContainsKey);
        var column = table.Classes.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i);
        var order = manifest.Classes.Select(c =>
            column.TryGetValue(c, out var i) ? i : throw new InvalidDataException($"{file}: no column 'p_{c}' in the header line")).ToArray();
        if (manifest.Task == TaskKind.Segmentation)
        {
            // The truth of a segmentation row is its mask's, known only to the task that read the mask.
            IReadOnlyList<string> columns = [.. ImageScores.Columns, .. ImageScores.ClassColumns(manifest.Classes)];
            var missing = columns.FirstOrDefault(c => !table.ExtraColumns.Contains(c));
            if (missing is not null) throw new InvalidDataException($"{file}: no column '{missing}' in the header line");
            return table.Rows.Where(r => r.Set == "test")
                .Select(r => new Prediction(r.SampleId, r.Labels, order.Select(i => r.Probabilities[i]).ToArray(), ImageScoresOf(r, columns, file))).ToList();
        }
        return table.Rows.Where(r => r.Set == "test")
            .Select(r => new Prediction(r.SampleId, manifest.ById[r.SampleId].Labels, order.Select(i => r.Probabilities[i]).ToArray())).ToList();
    }

    /// <summary>A segmentation row's per-image scores read back from its <paramref name="columns"/>; a cell that is not a number is an error naming the sample and column.</summary>
    public static IReadOnlyDictionary<string, double?> ImageScoresOf(PredictionRow row, IReadOnlyList<string> columns, string file) =>
        columns.ToDictionary(c => c, c =>
        {
            var text = row.Extra![c];
            if (text == "") return (double?)null;
            return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
                ? v : throw new InvalidDataException($"{file}: sample '{row.SampleId}': column '{c}' is not a number");
        });
}
