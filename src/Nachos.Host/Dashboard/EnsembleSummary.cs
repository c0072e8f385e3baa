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
        var (table, problem) = Load(runDir, RunLayout.Ensemble);
        if (table is null) return (null, problem);
        var folds = table.Rows.Where(r => r.Outer is not null).GroupBy(r => r.Outer!.Value).OrderBy(g => g.Key).Select(g =>
            new EnsembleFold(g.Key, EnsembleFile.Name(g.First().Chosen), Means(table.Models, g.Where(r => r.Set == EnsembleFile.Validation)),
                Means(table.Models, g.Where(r => r.Set == EnsembleFile.Test)), g.Count(r => r.Set == EnsembleFile.Test))).ToList();
        return (folds, null);
    }

    /// <summary>
    /// One of the run directory's ensemble tables (a <see cref="RunLayout"/> name): null and no problem when absent; null
    /// and <see cref="EnsembleFile.Read"/>'s one-line error (file and line) when it is not such a table.
    /// </summary>
    public static (EnsembleTable? Table, string? Problem) Load(string runDir, string file)
    {
        var path = Path.Combine(runDir, file);
        if (!File.Exists(path)) return (null, null);
        try
        {
            return (EnsembleFile.Read(path), null);
        }
        catch (InvalidDataException e)
        {
            return (null, e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, $"{path}: cannot be read ({e.GetType().Name})");
        }
    }

    /// <summary>The mean over <paramref name="rows"/> of each rule, each model (its non-empty cells) and the oracle; empty without rows.</summary>
    public static IReadOnlyDictionary<string, double> Means(IReadOnlyList<string> models, IEnumerable<EnsembleRow> rows)
    {
        var list = rows.ToList();
        var means = new Dictionary<string, double>();
        if (list.Count == 0) return means;
        foreach (var rule in EnsembleFile.Rules) means[EnsembleFile.Name(rule)] = list.Average(r => r.Rules[rule]);
        for (var m = 0; m < models.Count; m++)
            if (list.Where(r => r.Models[m] is not null).Select(r => r.Models[m]!.Value).ToList() is { Count: > 0 } values)
                means[models[m]] = values.Average();
        means[Oracle] = list.Average(r => r.Oracle);
        return means;
    }
}
