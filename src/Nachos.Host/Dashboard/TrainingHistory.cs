using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace Nachos.Host.Dashboard;

/// <summary>A task's history.csv: one value per epoch for each column (null where the cell is empty).</summary>
public sealed record TrainingHistory(IReadOnlyList<int> Epochs, IReadOnlyDictionary<string, IReadOnlyList<double?>> Columns)
{
    public IReadOnlyList<double?> Column(string name) => Columns.TryGetValue(name, out var c) ? c : new double?[Epochs.Count];

    /// <summary>True when the column holds at least one value.</summary>
    public bool Has(string name) => Columns.TryGetValue(name, out var c) && c.Any(v => v is not null);

    public static TrainingHistory Read(string path)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, new CsvConfiguration(CultureInfo.InvariantCulture));
        if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is not { } header || !header.Contains("epoch"))
            throw new InvalidDataException($"{path}: no header line with an 'epoch' column");
        var names = header.Where(h => h != "epoch").ToArray();
        var epochs = new List<int>();
        var columns = names.ToDictionary(n => n, _ => new List<double?>());
        while (csv.Read())
        {
            epochs.Add(int.Parse(csv.GetField("epoch")!, CultureInfo.InvariantCulture));
            foreach (var n in names)
                columns[n].Add(csv.GetField(n) is { Length: > 0 } v ? double.Parse(v, CultureInfo.InvariantCulture) : null);
        }
        return new TrainingHistory(epochs, columns.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<double?>)kv.Value));
    }
}
