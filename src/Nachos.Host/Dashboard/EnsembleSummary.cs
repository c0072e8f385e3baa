using System.Globalization;
using CsvHelper;
using Nachos.Shared.Study;

namespace Nachos.Host.Dashboard;

/// <summary>One outer fold of <c>nachos ensemble</c>'s results: each rule's and trial's mean Dice per set, the chosen rule, the oracle.</summary>
public sealed record EnsembleFold(int Outer, string Chosen, IReadOnlyDictionary<string, double> Validation, IReadOnlyDictionary<string, double> Test, int TestImages);

/// <summary>
/// The study's <c>ensemble.csv</c> (written by <c>nachos ensemble</c>, docs/cli.md) summarised per fold: the mean over
/// images of each column. Null when the file is absent, or unreadable (then the page says so instead of failing).
/// </summary>
public static class EnsembleSummary
{
    public static readonly IReadOnlyList<string> Rules = ["union", "intersection", "majority", "mean-probability"];

    /// <summary>The column of the fold's best trial (by inner score) alone, and of the per-image best trial.</summary>
    public const string BestTrial = "trial_1", Oracle = "oracle";

    public static (IReadOnlyList<EnsembleFold>? Folds, string? Problem) Read(string runDir)
    {
        var path = Path.Combine(runDir, RunLayout.Ensemble);
        if (!File.Exists(path)) return (null, null);
        try
        {
            using var reader = new StreamReader(path);
            using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
            if (!csv.Read() || !csv.ReadHeader() || csv.HeaderRecord is not { } header) return (null, $"{path}: no header line");
            var numeric = header.Skip(4).ToArray();
            var rows = new List<(int Outer, string Set, string Chosen, Dictionary<string, double> Values)>();
            while (csv.Read())
            {
                var values = numeric.Where(c => csv.GetField(c) is { Length: > 0 }).ToDictionary(c => c, c => double.Parse(csv.GetField(c)!, CultureInfo.InvariantCulture));
                rows.Add((int.Parse(csv.GetField("outer_fold")!, CultureInfo.InvariantCulture), csv.GetField("set")!, csv.GetField("chosen_rule")!, values));
            }
            var folds = rows.GroupBy(r => r.Outer).OrderBy(g => g.Key).Select(g =>
            {
                IReadOnlyDictionary<string, double> Means(string set) => numeric.Where(c => g.Any(r => r.Set == set && r.Values.ContainsKey(c)))
                    .ToDictionary(c => c, c => g.Where(r => r.Set == set && r.Values.ContainsKey(c)).Average(r => r.Values[c]));
                return new EnsembleFold(g.Key, g.First().Chosen, Means("validation"), Means("test"), g.Count(r => r.Set == "test"));
            }).ToList();
            return (folds, null);
        }
        catch (Exception e) when (e is CsvHelperException or FormatException or OverflowException or IOException or ArgumentNullException)
        {
            return (null, $"{path}: not the table nachos ensemble writes");
        }
    }
}
