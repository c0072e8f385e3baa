using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using Nachos.Shared.Spec;

namespace Nachos.Host.Dashboard;

/// <summary>One evaluated case: its truth (class index, or 0/1 per label for multi-label) and the predicted probabilities.</summary>
public sealed record CasePrediction(string SampleId, string Set, IReadOnlyList<int> Labels, IReadOnlyList<double> Probabilities);

/// <summary>
/// A task's predictions.csv, read on its own: the classes come from its <c>p_</c> columns and the truth from
/// its <c>true</c> column (a class name, or ';'-joined 0/1 per label) or <c>true_{label}</c> columns, so the
/// report does not need the dataset.
/// </summary>
public static class ModelPredictions
{
    public static (IReadOnlyList<string> Classes, IReadOnlyList<CasePrediction> Cases) Read(string path, TaskKind task)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture));
        if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is not { } header)
            throw new InvalidDataException($"{path}: no header line");
        var classes = header.Where(h => h.StartsWith("p_", StringComparison.Ordinal)).Select(h => h[2..]).ToArray();
        if (classes.Length == 0) throw new InvalidDataException($"{path}: no p_<class> column");
        var truthColumns = classes.Select(c => $"true_{c}").ToArray();
        var perLabelTruth = truthColumns.All(header.Contains);
        if (!perLabelTruth && !header.Contains("true")) throw new InvalidDataException($"{path}: no 'true' column");
        var index = classes.Select((c, i) => (c, i)).ToDictionary(t => t.c, t => t.i);

        var cases = new List<CasePrediction>();
        while (csv.Read())
        {
            var line = csv.Parser.RawRow;
            int[] labels;
            if (perLabelTruth) labels = truthColumns.Select(c => ZeroOne(csv.GetField(c), path, line)).ToArray();
            else if (task == TaskKind.Multilabel) labels = (csv.GetField("true") ?? "").Split(';').Select(v => ZeroOne(v, path, line)).ToArray();
            else
            {
                var truth = csv.GetField("true") ?? "";
                labels = [index.TryGetValue(truth, out var i) ? i : throw new InvalidDataException($"{path}:{line}: true class '{truth}' is none of {string.Join(", ", classes)}")];
            }
            if (task == TaskKind.Multilabel && labels.Length != classes.Length)
                throw new InvalidDataException($"{path}:{line}: {labels.Length} true labels for {classes.Length} p_ columns");
            var probabilities = classes.Select(c => double.Parse(csv.GetField($"p_{c}")!, CultureInfo.InvariantCulture)).ToArray();
            cases.Add(new CasePrediction(csv.GetField("sample_id")!, csv.GetField("set")!, labels, probabilities));
        }
        return (classes, cases);
    }

    private static int ZeroOne(string? v, string path, int line) => v switch
    {
        "1" => 1,
        "0" => 0,
        _ => throw new InvalidDataException($"{path}:{line}: a label must be 0 or 1, got '{v}'"),
    };
}
