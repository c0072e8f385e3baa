using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Nachos.Shared.Files;
using Nachos.Shared.Metrics;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Predictions;

/// <summary>A predictions file read whole: its classes (from the <c>p_</c> columns, in order), its extra columns and its rows.</summary>
public sealed record PredictionsTable(IReadOnlyList<string> Classes, IReadOnlyList<string> ExtraColumns, IReadOnlyList<PredictionRow> Rows);

/// <summary>
/// The one format of a task's predictions.csv (docs/operations.md), its writer and its reader. Columns:
/// <c>sample_id, set</c>, the truth (<c>true</c> = the class name for binary and multi-class; <c>true_{label}</c> = 0/1 per
/// label for multi-label), <c>p_{class}</c> per class, <c>predicted</c> by <see cref="DecisionRule"/>, then any extra
/// per-image columns, which the reader carries through. The reader also accepts the older multi-label shape
/// (<c>true</c> = ';'-joined 0/1 per label). A row without labels (truth unknown) is written with empty truth fields. Errors name the file, line and column and never quote the file.
/// </summary>
public static class PredictionsFile
{
    private static readonly string[] Fixed = ["sample_id", "set", "true", "predicted"];

    /// <param name="threshold">The binary decision threshold of the <c>predicted</c> column (a bundle's; the tasks write at the default).</param>
    public static void Write(string path, TaskKind task, IReadOnlyList<string> classes, IEnumerable<PredictionRow> rows, IReadOnlyList<string>? extraColumns = null,
        double threshold = DecisionRule.DefaultThreshold)
    {
        extraColumns ??= [];
        foreach (var column in extraColumns)
            if (!IsExtra(column)) throw new ArgumentException($"'{column}' is a column of the predictions format, not an extra one", nameof(extraColumns));
        var multi = task == TaskKind.Multilabel;
        AtomicFile.Write(path, temporary =>
        {
            using var writer = new StreamWriter(temporary);
            using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
            csv.WriteField("sample_id");
            csv.WriteField("set");
            if (multi) foreach (var c in classes) csv.WriteField($"true_{c}");
            else csv.WriteField("true");
            foreach (var c in classes) csv.WriteField($"p_{c}");
            csv.WriteField("predicted");
            foreach (var column in extraColumns) csv.WriteField(column);
            csv.NextRecord();
            foreach (var row in rows)
            {
                csv.WriteField(row.SampleId);
                csv.WriteField(row.Set);
                // No labels: the truth is not known (nachos predict on images given by path); its fields stay empty.
                if (row.Labels.Count == 0) foreach (var _ in multi ? classes : ["true"]) csv.WriteField("");
                else if (multi) foreach (var v in row.Labels) csv.WriteField(v);
                else csv.WriteField(classes[row.Labels[0]]);
                foreach (var p in row.Probabilities) csv.WriteField(p.ToString("R", CultureInfo.InvariantCulture));
                csv.WriteField(DecisionRule.PredictedNames(task, classes, row.Probabilities, threshold));
                foreach (var column in extraColumns) csv.WriteField(row.Extra?.GetValueOrDefault(column) ?? "");
                csv.NextRecord();
            }
        });
    }

    /// <summary>
    /// Reads every row of a predictions file of a <paramref name="task"/> task; an <see cref="InvalidDataException"/> when it
    /// is not one: besides the shape, an empty sample id, a sample repeated within its set, or a probability that is not a
    /// number in [0, 1] (NaN and infinities included) is an error naming its line and column.
    /// </summary>
    /// <param name="isSample">When given, a row whose sample id it refuses is an error naming its line.</param>
    /// <param name="requireSet">False: the <c>set</c> column may be missing (each row's set is then empty), as in files
    /// from other tools that <c>nachos evaluate</c> reads.</param>
    public static PredictionsTable Read(string path, TaskKind task, Func<string, bool>? isSample = null, bool requireSet = true)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture));
        try
        {
            if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is not { } header)
                throw new InvalidDataException($"{path}: no header line");
            foreach (var column in requireSet ? ["sample_id", "set"] : new[] { "sample_id" })
                if (!header.Contains(column)) throw new InvalidDataException($"{path}: no column '{column}' in the header line");
            var classes = header.Where(h => h.StartsWith("p_", StringComparison.Ordinal)).Select(h => h[2..]).ToArray();
            if (classes.Length == 0) throw new InvalidDataException($"{path}: no p_<class> column in the header line");
            var truthColumns = classes.Select(c => $"true_{c}").ToArray();
            var perLabelTruth = task == TaskKind.Multilabel && truthColumns.All(header.Contains);
            if (!perLabelTruth && !header.Contains("true"))
                throw new InvalidDataException($"{path}: no column '{(task == TaskKind.Multilabel ? truthColumns.First(c => !header.Contains(c)) : "true")}' in the header line");
            var extra = header.Where(IsExtra).ToArray();
            var index = classes.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i);

            var hasSet = header.Contains("set");
            var rows = new List<PredictionRow>();
            var seen = new Dictionary<(string Set, string Id), int>();
            while (csv.Read())
            {
                var line = csv.Parser.RawRow;
                if (csv.Parser.Count != header.Length)
                    throw new InvalidDataException($"{path}:{line}: {csv.Parser.Count} fields where the header line has {header.Length}");
                var id = csv.GetField("sample_id")!;
                var set = hasSet ? csv.GetField("set")! : "";
                if (id.Length == 0) throw new InvalidDataException($"{path}:{line}: column 'sample_id' is empty");
                if (!seen.TryAdd((set, id), line))
                    throw new InvalidDataException($"{path}:{line}: column 'sample_id' repeats the sample of line {seen[(set, id)]}");
                if (isSample is not null && !isSample(id))
                    throw new InvalidDataException($"{path}:{line}: column 'sample_id' names no sample of the dataset");
                int[] labels;
                if (perLabelTruth) labels = truthColumns.Select(c => ZeroOne(csv.GetField(c), path, line, c)).ToArray();
                else if (task == TaskKind.Multilabel)
                {
                    labels = (csv.GetField("true") ?? "").Split(';').Select(v => ZeroOne(v, path, line, "true")).ToArray();
                    if (labels.Length != classes.Length)
                        throw new InvalidDataException($"{path}:{line}: column 'true' has {labels.Length} labels for {classes.Length} p_ columns");
                }
                else labels = [index.TryGetValue(csv.GetField("true") ?? "", out var i) ? i : throw new InvalidDataException($"{path}:{line}: column 'true' names none of the p_ columns' classes")];
                var probabilities = classes.Select(c => Probability(csv.GetField($"p_{c}"), path, line, $"p_{c}")).ToArray();
                var extraValues = extra.Length == 0 ? null : extra.ToDictionary(c => c, c => csv.GetField(c) ?? "");
                rows.Add(new PredictionRow(id, set, labels, probabilities, extraValues));
            }
            return new PredictionsTable(classes, extra, rows);
        }
        catch (CsvHelperException)
        {
            // Its message quotes the raw record.
            throw new InvalidDataException($"{path}:{csv.Parser.RawRow}: not valid CSV");
        }
    }

    /// <summary>Whether a column is an extra per-image one rather than one of the format's own.</summary>
    public static bool IsExtra(string column) =>
        !Fixed.Contains(column) && !column.StartsWith("p_", StringComparison.Ordinal) && !column.StartsWith("true_", StringComparison.Ordinal);

    private static double Probability(string? text, string path, int line, string column)
    {
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var p))
            throw new InvalidDataException($"{path}:{line}: column '{column}' is not a number");
        if (double.IsNaN(p)) throw new InvalidDataException($"{path}:{line}: column '{column}' is NaN");
        return p is >= 0 and <= 1 ? p : throw new InvalidDataException($"{path}:{line}: column '{column}' is not a probability in [0, 1]");
    }

    private static int ZeroOne(string? v, string path, int line, string column) => v switch
    {
        "1" => 1,
        "0" => 0,
        _ => throw new InvalidDataException($"{path}:{line}: column '{column}' holds a label that is not 0 or 1"),
    };
}
