using Nachos.Shared.Study;

namespace Nachos.Host.Dashboard;

/// <summary>
/// One outer fold of several studies' ensemble: its candidates (their columns), the chosen rule, each rule's and
/// candidate's mean Dice per set, and the candidate best on validation (<see cref="Alone"/>, its column).
/// </summary>
public sealed record StudiesEnsembleFold(int Outer, IReadOnlyList<(EnsembleCandidate Candidate, string Column)> Candidates, string Chosen,
    IReadOnlyDictionary<string, double> Validation, IReadOnlyDictionary<string, double> Test, string? Alone, int TestImages);

/// <summary>
/// The <c>ensemble-studies.csv</c> of <c>nachos ensemble RUN_DIR RUN_DIR...</c> in this (the first) run directory
/// (<see cref="EnsembleFile"/>), summarised per fold; null when absent or unreadable (then the problem).
/// </summary>
public static class StudiesEnsembleSummary
{
    public static (IReadOnlyList<StudiesEnsembleFold>? Folds, IReadOnlyList<string> Studies, string? Problem) Read(string runDir)
    {
        var (table, problem) = EnsembleSummary.Load(runDir, RunLayout.EnsembleStudies);
        if (table is null) return (null, [], problem);
        var columns = table.Models.Select((m, k) => (Candidate: EnsembleFile.CandidateOf(m), Column: m, Index: k)).ToList();
        if (columns.FirstOrDefault(c => c.Candidate is null) is { Column: { } other })
            return (null, [], $"{Path.Combine(runDir, RunLayout.EnsembleStudies)}: column '{other}' is not <study>_t<n>");
        var studies = columns.Select(c => c.Candidate!.Study).Distinct().ToList();
        var folds = table.Rows.Where(r => r.Outer is not null).GroupBy(r => r.Outer!.Value).OrderBy(g => g.Key).Select(g =>
        {
            var candidates = columns.Where(c => g.Any(r => r.Models[c.Index] is not null)).Select(c => (c.Candidate!, c.Column)).ToList();
            var validation = EnsembleSummary.Means(table.Models, g.Where(r => r.Set == EnsembleFile.Validation));
            // The single candidate best on validation, as a rule is chosen (ties: the first column), as nachos ensemble prints it.
            var alone = candidates.Where(c => validation.ContainsKey(c.Column)).Select(c => c.Column)
                .Aggregate((string?)null, (best, c) => best is null || validation[c] > validation[best] ? c : best);
            return new StudiesEnsembleFold(g.Key, candidates, EnsembleFile.Name(g.First().Chosen), validation,
                EnsembleSummary.Means(table.Models, g.Where(r => r.Set == EnsembleFile.Test)), alone, g.Count(r => r.Set == EnsembleFile.Test));
        }).ToList();
        return (folds, studies, null);
    }
}
