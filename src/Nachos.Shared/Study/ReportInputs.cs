using Nachos.Shared.Data;
using Nachos.Shared.Metrics.Segmentation;
using Nachos.Shared.Predictions;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Study;

/// <summary>A refit whose test predictions the report needs: its outer fold, its predictions file and the fold's test samples.</summary>
public sealed record RefitArtifact(int Outer, string PredictionsFile, IReadOnlyList<string> Test);

/// <summary>An outer fold's chosen trial's inner task predictions files (one per inner split), whose validation rows choose the fold's threshold.</summary>
public sealed record InnerArtifact(int Outer, IReadOnlyList<string> PredictionsFiles);

/// <summary>
/// The refits' test predictions a report is built from (and, when the threshold is chosen on them, the chosen trials' inner validation predictions), and what stopped any of them from being used: a file missing,
/// unreadable, or lacking test samples. Each problem names its outer fold and file; none is skipped silently.
/// </summary>
public sealed record ReportInputs(IReadOnlyDictionary<int, IReadOnlyList<Prediction>> Predictions, IReadOnlyList<string> Problems,
    IReadOnlyDictionary<int, IReadOnlyList<Prediction>>? Validation = null)
{
    /// <param name="inner">Per fold, its chosen trial's inner task predictions: read (their validation rows) only when given.</param>
    public static ReportInputs Read(IEnumerable<RefitArtifact> refits, Manifest manifest, IEnumerable<InnerArtifact>? inner = null)
    {
        var predictions = new Dictionary<int, IReadOnlyList<Prediction>>();
        var problems = new List<string>();
        foreach (var refit in refits.OrderBy(r => r.Outer))
        {
            var file = refit.PredictionsFile;
            var problem = Attempt(file, () =>
            {
                var rows = SetPredictions(file, manifest, "test");
                var lacking = refit.Test.Except(rows.Select(r => r.SampleId)).Count();
                if (lacking > 0) return $"{file}: lacks {lacking} of the fold's {refit.Test.Count} test samples";
                predictions[refit.Outer] = rows;
                return null;
            });
            if (problem is not null) problems.Add($"outer fold {refit.Outer}: refit test predictions {problem}");
        }
        if (inner is null) return new ReportInputs(predictions, problems);
        var validation = new Dictionary<int, IReadOnlyList<Prediction>>();
        foreach (var fold in inner.OrderBy(f => f.Outer))
        {
            var rows = new List<Prediction>();
            foreach (var file in fold.PredictionsFiles)
            {
                var problem = Attempt(file, () =>
                {
                    var read = SetPredictions(file, manifest, "validation");
                    rows.AddRange(read);
                    return read.Count == 0 ? $"{file}: no validation rows" : null;
                });
                if (problem is not null) problems.Add($"outer fold {fold.Outer}: inner validation predictions {problem}");
            }
            validation[fold.Outer] = rows;
        }
        return new ReportInputs(predictions, problems, validation);
    }

    /// <summary>Runs a read of <paramref name="file"/>; what stopped it, in words naming the file (null when nothing did).</summary>
    private static string? Attempt(string file, Func<string?> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return $"{file}: missing";
        }
        catch (InvalidDataException e)
        {
            return e.Message;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{file}: unreadable ({e.Message})";
        }
    }

    /// <summary>The file's rows of <paramref name="set"/> with the dataset's truth, the probabilities in the dataset's class order.</summary>
    private static IReadOnlyList<Prediction> SetPredictions(string file, Manifest manifest, string set)
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
            return table.Rows.Where(r => r.Set == set)
                .Select(r => new Prediction(r.SampleId, r.Labels, order.Select(i => r.Probabilities[i]).ToArray(), ImageScoresOf(r, columns, file))).ToList();
        }
        return table.Rows.Where(r => r.Set == set)
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
