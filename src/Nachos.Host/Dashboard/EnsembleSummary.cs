using Nachos.Shared.Study;

namespace Nachos.Host.Dashboard;

/// <summary>One outer fold of <c>nachos ensemble</c>'s results: each rule's and trial's mean Dice per set, the chosen rule, the oracle.</summary>
public sealed record EnsembleFold(int Outer, string Chosen, IReadOnlyDictionary<string, double> Validation, IReadOnlyDictionary<string, double> Test, int TestImages);

/// <summary>
/// The study's <c>ensemble.csv</c> (<see cref="EnsembleFile"/>) summarised per fold: the mean over images of each
/// column. Null when the file is absent, or unreadable (then the page says so instead of failing).
/// </summary>
public static class EnsembleSummary
{
    public static readonly IReadOnlyList<string> Rules = EnsembleFile.Rules.Select(EnsembleFile.Name).ToList();

    /// <summary>The column of the fold's best trial (by inner score) alone, and of the per-image best trial.</summary>
    public static readonly string BestTrial = EnsembleFile.TrialColumn(1);

    public const string Oracle = "oracle";

    public static (IReadOnlyList<EnsembleFold>? Folds, string? Problem) Read(string runDir)
    {
        var path = Path.Combine(runDir, RunLayout.Ensemble);
        if (!File.Exists(path)) return (null, null);
        EnsembleTable table;
        try
        {
            table = EnsembleFile.Read(path);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return (null, $"{path}: not the table nachos ensemble writes");
        }
        var folds = table.Rows.Where(r => r.Outer is not null).GroupBy(r => r.Outer!.Value).OrderBy(g => g.Key).Select(g =>
        {
            IReadOnlyDictionary<string, double> Means(string set)
            {
                var rows = g.Where(r => r.Set == set).ToList();
                var means = new Dictionary<string, double>();
                if (rows.Count == 0) return means;
                foreach (var rule in EnsembleFile.Rules) means[EnsembleFile.Name(rule)] = rows.Average(r => r.Rules[rule]);
                for (var m = 0; m < table.Models.Count; m++)
                    if (rows.Where(r => r.Models[m] is not null).Select(r => r.Models[m]!.Value).ToList() is { Count: > 0 } values)
                        means[table.Models[m]] = values.Average();
                means[Oracle] = rows.Average(r => r.Oracle);
                return means;
            }
            return new EnsembleFold(g.Key, EnsembleFile.Name(g.First().Chosen), Means(EnsembleFile.Validation), Means(EnsembleFile.Test),
                g.Count(r => r.Set == EnsembleFile.Test));
        }).ToList();
        return (folds, null);
    }
}
