using Nachos.Shared.Splits;

namespace Nachos.Shared.Study;

/// <summary>
/// A finished study as <c>nachos ensemble RUN_DIR RUN_DIR...</c> combines it with others: its run directory, name,
/// dataset content key and classes, split plan, report and search direction.
/// </summary>
public sealed record EnsembleStudy(string RunDir, string Name, string DatasetPath, string DatasetKey, IReadOnlyList<string> Classes,
    SplitPlan Plan, StudyReport Report, bool Maximise);

/// <summary>
/// Mask ensembles of models from several studies: they may be combined only when their outer test folds are the same
/// images (the same dataset content and the same split plan, so also the same inner splits); per outer fold the
/// candidates are each study's top trials.
/// </summary>
public static class StudyEnsembles
{
    /// <summary>The first run directory given twice (compared as full paths), with its earlier spelling; null when none is.</summary>
    public static (string First, string Again)? Repeated(IReadOnlyList<string> runDirs)
    {
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var dir in runDirs)
        {
            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir));
            if (!seen.TryAdd(full, dir)) return (seen[full], dir);
        }
        return null;
    }

    /// <summary>
    /// Why the studies cannot be combined, one line naming the two run directories and what differs; null when they
    /// can: distinct study names (candidates are named by study), the same dataset content and classes, the same split plan.
    /// </summary>
    public static string? Mismatch(IReadOnlyList<EnsembleStudy> studies)
    {
        var first = studies[0];
        foreach (var other in studies.Skip(1))
        {
            var pair = $"{first.RunDir} and {other.RunDir}";
            if (other.Name == first.Name) return $"{pair}: both studies are named '{first.Name}'; an ensemble's models are named by study";
            if (other.DatasetKey != first.DatasetKey)
                return $"{pair}: not the same dataset ({first.DatasetPath} and {other.DatasetPath} differ in content or image size), so their outer test folds are not the same images";
            if (!other.Classes.SequenceEqual(first.Classes))
                return $"{pair}: not the same classes ([{string.Join(", ", first.Classes)}] vs [{string.Join(", ", other.Classes)}])";
            if (other.Plan.Hash != first.Plan.Hash)
                return $"{pair}: not the same split plan ({PlanDifference(first.Plan, other.Plan)}), so their outer test folds are not the same images";
        }
        return null;
    }

    /// <summary>What first differs between two split plans, in the spec's terms where it can.</summary>
    public static string PlanDifference(SplitPlan a, SplitPlan b)
    {
        if (a.Scheme != b.Scheme) return $"scheme {a.Scheme} vs {b.Scheme}";
        if (a.Outer.Count != b.Outer.Count) return $"{a.Outer.Count} vs {b.Outer.Count} outer folds";
        var innerA = a.Outer.Select(f => f.Inner.Count).Max();
        var innerB = b.Outer.Select(f => f.Inner.Count).Max();
        if (innerA != innerB) return $"{innerA} vs {innerB} inner splits";
        if (a.Seed != b.Seed) return $"seed {a.Seed} vs {b.Seed}";
        var fold = a.Outer.Zip(b.Outer).FirstOrDefault(p => !p.First.Test.Order(StringComparer.Ordinal).SequenceEqual(p.Second.Test.Order(StringComparer.Ordinal)));
        return fold.First is { } f ? $"outer fold {f.Index}'s test images differ" : "their inner splits differ";
    }

    /// <summary>
    /// Per outer fold of any study's report (in fold order), the union of each study's <paramref name="top"/> best
    /// finished trials (<see cref="FoldEnsembles.Top"/>), studies in the order given.
    /// </summary>
    public static IReadOnlyList<(int Outer, IReadOnlyList<EnsembleCandidate> Candidates)> Candidates(IReadOnlyList<EnsembleStudy> studies, int top) =>
        studies.SelectMany(s => s.Report.Folds.Select(f => f.Outer)).Distinct().Order()
            .Select(outer => (outer, (IReadOnlyList<EnsembleCandidate>)studies
                .SelectMany(s => s.Report.Folds.Where(f => f.Outer == outer)
                    .SelectMany(f => FoldEnsembles.Top(f.Trials, s.Maximise, top).Select(t => new EnsembleCandidate(s.Name, t))))
                .ToList()))
            .ToList();

    /// <summary>The table's model columns: every candidate of any fold, by study in the order given, then by trial.</summary>
    public static IReadOnlyList<EnsembleCandidate> Columns(IReadOnlyList<EnsembleStudy> studies, IEnumerable<FoldEnsemble> ensembles)
    {
        var order = studies.Select((s, i) => (s.Name, i)).ToDictionary(p => p.Name, p => p.i);
        return ensembles.SelectMany(e => e.Candidates).Distinct().OrderBy(c => order[c.Study]).ThenBy(c => c.Trial).ToList();
    }
}
