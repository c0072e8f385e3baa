using Nachos.Shared.Study;

namespace Nachos.Host.Dashboard;

/// <summary>
/// <c>nachos ensemble --external</c>'s results: the rule applied, the number of external images, and the mean over them
/// of each rule, each refit (<see cref="Refits"/>, its column) and the oracle.
/// </summary>
public sealed record ExternalEnsembleView(string Applied, int Images, IReadOnlyList<(int Outer, string Column)> Refits, IReadOnlyDictionary<string, double> Means);

/// <summary>The study's <c>ensemble-external.csv</c> (<see cref="EnsembleFile"/>) summarised; null when absent or unreadable (then the problem).</summary>
public static class ExternalEnsembleSummary
{
    public static (ExternalEnsembleView? View, string? Problem) Read(string runDir)
    {
        var (table, problem) = EnsembleSummary.Load(runDir, RunLayout.EnsembleExternal);
        if (table is null) return (null, problem);
        var rows = table.Rows.Where(r => r.Set == EnsembleFile.External).ToList();
        if (rows.Count == 0) return (null, $"{Path.Combine(runDir, RunLayout.EnsembleExternal)}: no external image");
        var refits = table.Models.Select(m => (Outer: EnsembleFile.RefitOf(m), Column: m)).Where(p => p.Outer is not null).Select(p => (p.Outer!.Value, p.Column)).ToList();
        return (new ExternalEnsembleView(EnsembleFile.Name(rows[0].Chosen), rows.Count, refits, EnsembleSummary.Means(table.Models, rows)), null);
    }
}
