using Nachos.Shared.Metrics.Segmentation;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

/// <summary>
/// Mask ensembles of several studies' models on constructed masks: which studies may be combined, each study's top
/// trials as a fold's candidates, the rule chosen on validation across studies, the oracle.
/// </summary>
public sealed class StudyEnsemblesTests
{
    private static readonly OuterFold Fold = new(0, "o0", ["t1", "t2"], ["v1", "v2", "r1", "r2"],
        [new Split(["r1", "r2", "v2"], ["v1"]), new Split(["r1", "r2", "v1"], ["v2"])]);

    private static SplitPlan Plan(int seed = 3, int outer = 2) =>
        new("kfold", seed, Enumerable.Range(0, outer).Select(k => Fold with { Index = k, Name = $"o{k}" }).ToList());

    private static TrialResult T(int n, double? score, string? failure = null) => new(n, Hyperparameters.Empty, score, null, 1, [], failure);

    private static FoldResult F(int outer, params TrialResult[] trials) => new(outer, null, null, null, null, 0, new Dictionary<string, double?>(), trials, null);

    private static EnsembleStudy Study(string dir, string name, SplitPlan? plan = null, string key = "k", IReadOnlyList<string>? classes = null, params FoldResult[] folds) =>
        new(dir, name, "/data/manifest.csv", key, classes ?? ["background", "lesion"], plan ?? Plan(), new StudyReport(name, true, folds, [], []), Maximise: true);

    [Fact]
    public void Each_folds_candidates_are_every_studys_top_trials_named_by_study()
    {
        var a = Study("ra", "seg", folds: [F(0, T(0, 0.5), T(1, 0.8), T(2, 0.7)), F(1, T(0, 0.9), T(1, null))]);
        var b = Study("rb", "wide", folds: [F(0, T(0, 0.6), T(1, 0.2, "diverged")), F(1, T(0, 0.4), T(1, 0.6))]);
        var one = StudyEnsembles.Candidates([a, b], 1);
        Assert.Equal([0, 1], one.Select(f => f.Outer));
        Assert.Equal([new EnsembleCandidate("seg", 1), new EnsembleCandidate("wide", 0)], one[0].Candidates);
        Assert.Equal([new EnsembleCandidate("seg", 0), new EnsembleCandidate("wide", 1)], one[1].Candidates);
        // Top 2: the failed and unscored trials are left out, so a study may give fewer.
        var two = StudyEnsembles.Candidates([a, b], 2);
        Assert.Equal(["seg/t1", "seg/t2", "wide/t0"], two[0].Candidates.Select(c => c.ToString()));
        Assert.Equal(["seg/t0", "wide/t1", "wide/t0"], two[1].Candidates.Select(c => c.ToString()));
    }

    [Fact]
    public void The_rule_is_chosen_on_validation_across_both_studies_and_the_oracle_is_each_images_best_candidate()
    {
        // Study "left" sees only the left pixel, study "right" only the right (on validation and test); the truth has both
        // on v1, v2 and t1, only the left on t2: the union wins on validation; on t2 the left candidate alone is best.
        var truth = new Dictionary<string, bool[]> { ["v1"] = [true, true], ["v2"] = [true, true], ["t1"] = [true, true], ["t2"] = [true, false] };
        var asked = new List<TaskAddress>();
        IReadOnlyDictionary<string, double[]> Predict(TaskAddress task, IReadOnlyList<string> train, IReadOnlyList<string> ids)
        {
            asked.Add(task);
            Assert.DoesNotContain(ids, train.Contains);
            return ids.ToDictionary(id => id, _ => task.Study == "left" ? new[] { 0.9, 0.1 } : new[] { 0.1, 0.9 });
        }
        var e = FoldEnsembles.Evaluate(Fold, [new("left", 3), new("right", 0)], 1, 2, id => truth[id], Predict);
        Assert.Equal(EnsembleRule.Union, e.Chosen);
        Assert.Equal(1, e.Validation.RuleMean(EnsembleRule.Union));
        Assert.Equal(0, e.Validation.RuleMean(EnsembleRule.Intersection));
        Assert.Equal(2.0 / 3, e.Validation.ModelMean(0), 12);
        // Test: t1 → union 1; t2 → union 2/3 (one false positive). Oracle: t1 either candidate (2/3), t2 the left one (1).
        Assert.Equal((1 + 2.0 / 3) / 2, e.TestDice, 12);
        Assert.Equal((2.0 / 3 + 1) / 2, e.Test.OracleMean, 12);
        Assert.Equal([new EnsembleCandidate("left", 3), new EnsembleCandidate("right", 0)], e.Candidates);
        // Each candidate's own study and trial: 2 splits on validation + 2 on test, per candidate.
        Assert.Equal(4, asked.Count(t => t is { Study: "left", Trial: 3 }));
        Assert.Equal(4, asked.Count(t => t is { Study: "right", Trial: 0 }));
    }

    [Fact]
    public void Studies_on_another_split_plan_dataset_or_classes_or_with_one_name_are_refused_naming_both_and_what_differs()
    {
        var a = Study("runs/a", "seg");
        Assert.Null(StudyEnsembles.Mismatch([a, Study("runs/b", "wide")]));

        var seed = StudyEnsembles.Mismatch([a, Study("runs/b", "wide", Plan(seed: 4))]);
        Assert.Equal("runs/a and runs/b: not the same split plan (seed 3 vs 4), so their outer test folds are not the same images", seed);
        Assert.Contains("2 vs 3 outer folds", StudyEnsembles.Mismatch([a, Study("runs/b", "wide", Plan(outer: 3))]));
        var moved = Plan() with { Outer = [Fold, Fold with { Index = 1, Name = "o1", Test = ["t1", "v1"] }] };
        Assert.Contains("outer fold 1's test images differ", StudyEnsembles.Mismatch([a, Study("runs/b", "wide", moved)]));
        Assert.Contains("runs/a and runs/c: not the same dataset", StudyEnsembles.Mismatch([a, Study("runs/b", "wide"), Study("runs/c", "x", key: "other")]));
        Assert.Contains("not the same classes", StudyEnsembles.Mismatch([a, Study("runs/b", "wide", classes: ["background", "tumour"])]));
        Assert.Contains("both studies are named 'seg'", StudyEnsembles.Mismatch([a, Study("runs/b", "seg")]));
    }

    [Fact]
    public void A_run_directory_given_twice_is_found_however_it_is_spelt()
    {
        Assert.Null(StudyEnsembles.Repeated(["runs/a", "runs/b"]));
        Assert.Equal(("runs/a", "runs/./a/"), StudyEnsembles.Repeated(["runs/a", "runs/b", "runs/./a/"]));
    }
}
