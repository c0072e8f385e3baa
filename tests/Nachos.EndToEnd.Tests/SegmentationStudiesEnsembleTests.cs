using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Nachos.Shared.Data;
using Nachos.Shared.SpecLoading;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using Nachos.Tests;
using Xunit.Abstractions;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// <c>nachos ensemble RUN_DIR RUN_DIR</c> on two tiny finished segmentation studies with the same data and split plan
/// and different searches: each fold's candidates are both studies' best trials, the rule is the best on inner
/// validation; studies on another split plan, a run directory given twice and an unfinished study are refused.
/// </summary>
[Collection(FinishedStudiesCollection.Name)]
public sealed class SegmentationStudiesEnsembleTests(FinishedStudies studies, ITestOutputHelper output) : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public void Each_fold_combines_both_studies_best_trials_and_applies_the_rule_best_on_inner_validation()
    {
        var (a, b) = (studies.SegmentationTwoTrials.RunDir, studies.SegmentationOtherSearch.RunDir);
        var clock = Stopwatch.StartNew();
        var run = NachosProcess.Run(_dir.Path, "ensemble", a, b);
        clock.Stop();
        Assert.True(run.Code == 0, run.Output + run.Error);
        Assert.Contains("optimistic upper bound", run.Output);

        var table = EnsembleFile.Read(Path.Combine(a, RunLayout.EnsembleStudies));
        Assert.All(table.Models, m => Assert.Matches("^seg2(lr)?_t[0-9]+$", m));
        var reports = new[] { ("seg2", StudyReport.Read(RunLayout.ReportPath(a))), ("seg2lr", StudyReport.Read(RunLayout.ReportPath(b))) };
        var folds = table.Rows.GroupBy(r => r.Outer!.Value).OrderBy(g => g.Key).ToList();
        Assert.Equal([0, 1], folds.Select(g => g.Key));
        foreach (var fold in folds)
        {
            // Default --top 1 with several studies: each study's best trial of this fold, and no other model.
            var expected = reports.Select(r => EnsembleFile.CandidateColumn(new EnsembleCandidate(r.Item1,
                FoldEnsembles.Top(r.Item2.Folds.Single(f => f.Outer == fold.Key).Trials, maximise: true, 1).Single()))).ToList();
            foreach (var row in fold)
                Assert.Equal(expected, table.Models.Where((_, m) => row.Models[m] is not null));
            // The chosen rule is the highest validation mean recomputed from the file (ties: the rules' order).
            var validation = fold.Where(r => r.Set == EnsembleFile.Validation).ToList();
            Assert.NotEmpty(validation);
            Assert.Contains(fold, r => r.Set == EnsembleFile.Test);
            var best = EnsembleFile.Rules.Aggregate((x, y) => validation.Average(r => r.Rules[y]) > validation.Average(r => r.Rules[x]) ? y : x);
            Assert.All(fold, r => Assert.Equal(best, r.Chosen));
            Assert.All(fold, r => Assert.Equal(r.Models.Where(d => d is not null).Max()!.Value, r.Oracle, 12));

            var test = fold.Where(r => r.Set == EnsembleFile.Test).ToList();
            output.WriteLine($"fold {fold.Key}: chosen {EnsembleFile.Name(best)}; " + string.Join(", ", EnsembleFile.Rules.Select(rule =>
                $"{EnsembleFile.Name(rule)} v {F(validation.Average(r => r.Rules[rule]))} t {F(test.Average(r => r.Rules[rule]))}"))
                + "; " + string.Join(", ", table.Models.Select((m, k) => (m, k)).Where(p => test[0].Models[p.k] is not null)
                    .Select(p => $"{p.m} t {F(test.Average(r => r.Models[p.k]!.Value))}"))
                + $"; oracle t {F(test.Average(r => r.Oracle))}");
        }
        output.WriteLine($"nachos ensemble of two studies: {clock.Elapsed.TotalSeconds:0.0} s");

        // The first study's page in the HTML export: per fold the candidates, each rule's validation mean, the chosen rule's
        // validation and test means, the candidate best on validation alone, seg2's refit (its report), the oracle, recomputed here.
        var export = NachosProcess.Run(_dir.Path, "report", a, "--format", "html", "--out", _dir.File("studies.html"));
        Assert.True(export.Code == 0, export.Output + export.Error);
        var page = StudyFiles.Element(File.ReadAllText(_dir.File("studies.html")), "table", "ensemble-studies-table");
        foreach (var fold in folds)
        {
            var validation = fold.Where(r => r.Set == EnsembleFile.Validation).ToList();
            var test = fold.Where(r => r.Set == EnsembleFile.Test).ToList();
            var candidates = table.Models.Select((m, k) => (m, k)).Where(p => fold.First().Models[p.k] is not null).ToList();
            var chosen = fold.First().Chosen;
            var alone = candidates.Aggregate((x, y) => validation.Average(r => r.Models[y.k]!.Value) > validation.Average(r => r.Models[x.k]!.Value) ? y : x);
            string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);
            var refit = reports[0].Item2.Folds.Single(f => f.Outer == fold.Key).TestMetrics["dice"]!.Value;
            string[] expected = [.. EnsembleFile.Rules.Select(rule => R(validation.Average(r => r.Rules[rule]))), R(validation.Average(r => r.Rules[chosen])),
                R(test.Average(r => r.Rules[chosen])), R(test.Average(r => r.Models[alone.k]!.Value)), R(refit), R(test.Average(r => r.Oracle))];
            var row = Regex.Match(page, $"<tr data-fold=\"{fold.Key}\">.*?</tr>", RegexOptions.Singleline).Value;
            Assert.Equal(expected, StudyFiles.Attribute(row, "data-value"));
            Assert.Contains($"<td>{string.Join(", ", candidates.Select(c => EnsembleFile.CandidateOf(c.m)!.ToString()))}</td>", row);
            Assert.Contains($"<td>{EnsembleFile.Name(chosen)}</td>", row);
            Assert.Contains($"<td>{EnsembleFile.CandidateOf(alone.m)}</td>", row);
            Assert.EndsWith($"<td class=\"num\">{test.Count}</td></tr>", row);
        }
        Assert.Contains("oracle (upper bound)", page);
    }

    [Fact]
    public void Studies_on_another_split_plan_a_directory_given_twice_or_an_unfinished_study_are_refused_with_exit_2()
    {
        var (a, b) = (studies.SegmentationTwoTrials.RunDir, studies.SegmentationOtherSearch.RunDir);

        // seg2lr's run directory with the plan the real planner makes for seed 4: another split of the same data.
        var seeded = CopyRunDir(b, "seed4");
        File.WriteAllText(RunLayout.SpecPath(seeded), File.ReadAllText(RunLayout.SpecPath(seeded)).Replace("seed: 3", "seed: 4"));
        var spec = SpecLoader.Parse(File.ReadAllText(RunLayout.SpecPath(seeded)), File.ReadAllText(RunLayout.SpecSourcePath(seeded)).Trim());
        Assert.Equal(4, spec.Seed);
        SplitPlanner.Plan(CsvManifestReader.Read(spec.Dataset, spec.Task), spec.Split, spec.Seed).Write(RunLayout.SplitsPath(seeded));
        var other = NachosProcess.Run(_dir.Path, "ensemble", a, seeded);
        Assert.Equal(2, other.Code);
        Assert.Contains($"{a} and {seeded}: not the same split plan (seed 3 vs 4)", other.Error);
        Assert.DoesNotContain("   at ", other.Error);
        Assert.Single(other.Error.Trim().Split('\n'));

        var twice = NachosProcess.Run(_dir.Path, "ensemble", a, b, a + "/");
        Assert.Equal(2, twice.Code);
        Assert.Contains($"{a} and {a}/: the same run directory given twice", twice.Error);
        Assert.DoesNotContain("   at ", twice.Error);

        var unfinished = CopyRunDir(b, "unfinished");
        File.Delete(RunLayout.ReportPath(unfinished));
        var early = NachosProcess.Run(_dir.Path, "ensemble", a, unfinished);
        Assert.Equal(2, early.Code);
        Assert.Contains($"{RunLayout.ReportPath(unfinished)}: missing; the study has not finished", early.Error);
        Assert.DoesNotContain("   at ", early.Error);
    }

    /// <summary>A run directory's spec, plan and report (no task folders: a refusal comes before any model is read).</summary>
    private string CopyRunDir(string runDir, string name)
    {
        var copy = _dir.File(name);
        Directory.CreateDirectory(copy);
        foreach (var file in new[] { RunLayout.Spec, RunLayout.SpecSource, RunLayout.Splits, RunLayout.Report })
            File.Copy(Path.Combine(runDir, file), Path.Combine(copy, file));
        return copy;
    }

    private static string F(double v) => v.ToString("0.000", CultureInfo.InvariantCulture);

    public void Dispose() => _dir.Dispose();
}
