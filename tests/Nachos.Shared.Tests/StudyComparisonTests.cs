using Nachos.Shared.Comparison;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;

namespace Nachos.Shared.Tests;

/// <summary>
/// Studies compared on constructed per-fold metrics and pooled predictions. The expected values were computed beforehand
/// with SciPy 1.10 (scipy.stats.t, friedmanchisquare, wilcoxon, norm; DeLong by its O(mn) definition in NumPy; Holm by hand).
/// </summary>
public sealed class StudyComparisonTests
{
    private static void Near(double expected, double? actual, double tolerance = 1e-9) =>
        Assert.True(actual is { } a && Math.Abs(expected - a) <= tolerance * Math.Max(1, Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");

    /// <summary>k outer folds of <paramref name="perFold"/> samples s00, s01, …: fold k tests the k-th block and trains on the rest.</summary>
    private static SplitPlan Plan(int folds, int perFold, int seed = 3, int extra = 0)
    {
        var ids = Enumerable.Range(0, folds * perFold + extra).Select(i => $"s{i:00}").ToList();
        return new SplitPlan("kfold", seed, Enumerable.Range(0, folds).Select(k =>
        {
            var test = ids.Skip(k * perFold).Take(perFold).ToList();
            return new OuterFold(k, $"o{k}", test, ids.Except(test).ToList(), []);
        }).ToList());
    }

    private static FoldResult Fold(int outer, string metric, double? value) =>
        new(outer, 0, null, null, null, 1, new Dictionary<string, double?> { [metric] = value }, [], null);

    private static readonly int[] Y = [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0];

    private static ComparedStudy Binary(string name, double[] perFold, double[] p1, SplitPlan? plan = null, int[]? truth = null, TaskKind task = TaskKind.Binary)
    {
        plan ??= Plan(5, 4);
        truth ??= Y;
        var pooled = Enumerable.Range(0, p1.Length).ToDictionary(i => $"s{i:00}", i => new PooledPrediction(i / 4, [truth[i]], [1 - p1[i], p1[i]]));
        return new ComparedStudy($"/runs/{name}", name, task, ["normal", "lesion"], plan, "auroc",
            perFold.Select((v, k) => Fold(k, "auroc", v)).ToList(), pooled);
    }

    private static readonly double[] PA = [0.74, 0.32, 0.685, 0.082, 0.649, 0.062, 0.752, 0.528, 0.642, 0.136, 0.838, 0.331, 0.761, 0.074, 0.734, 0.399, 0.471, 0.168, 0.36, 0.01];
    private static readonly double[] PB = [0.282, 0.303, 0.397, 0.404, 0.681, 0.313, 0.147, 0.242, 0.64, 0.373, 0.344, 0.254, 0.454, 0.188, 0.862, 0.188, 0.643, 0.527, 0.533, 0.328];
    private static readonly double[] PC = [0.528, 0.516, 0.194, 0.519, 0.84, 0.113, 0.715, 0.53, 0.34, 0.99, 0.691, 0.2, 0.519, 0.644, 0.453, 0.671, 0.483, 0.667, 0.86, 0.331];

    private static IReadOnlyList<ComparedStudy> Three() =>
    [
        Binary("a", [0.81, 0.77, 0.85, 0.79, 0.83], PA),
        Binary("b", [0.78, 0.76, 0.80, 0.80, 0.79], PB),
        Binary("c", [0.70, 0.72, 0.74, 0.69, 0.75], PC),
    ];

    [Fact]
    public void Three_binary_studies_get_the_corrected_t_DeLong_Holm_Friedman_and_Nemenyi_of_scipy()
    {
        var c = StudyComparer.Compare(Three(), "auroc");

        Assert.Equal((20, 80), (c.TestSamples, c.TrainSamples));
        Near(0.25, c.TestTrainRatio);
        Assert.Equal(["a|b", "a|c", "b|c"], c.Pairs.Select(p => $"{p.First}|{p.Second}"));
        // Nadeau–Bengio over the 5 folds' differences, n_test/n_train = 20/80; p two-sided from t(4).
        double[][] nb = [[1.485562705416415, 0.21157899460007384, 0.21157899460007384], [5.262348115842175, 0.00624451936337481, 0.01873355809012443],
            [3.3166247903554, 0.02947131627863469, 0.05894263255726938]];
        for (var i = 0; i < 3; i++)
        {
            Near(nb[i][0], c.Pairs[i].T);
            Near(nb[i][1], c.Pairs[i].P);
            Near(nb[i][2], c.Pairs[i].PHolm);
            Assert.Equal(4, c.Pairs[i].DegreesOfFreedom);
        }
        Near(0.024, c.Pairs[0].MeanDifference);
        // DeLong on the 20 pooled predictions.
        Assert.Equal("delong", c.PooledTest);
        double[][] delong = [[0.97, 0.78, 1.4826465748907194, 0.1381683358850703, 0.2763366717701406],
            [0.97, 0.555, 2.9259714678469635, 0.0034338242867687557, 0.010301472860306266],
            [0.78, 0.555, 1.1623255745658547, 0.24510324205135559, 0.2763366717701406]];
        for (var i = 0; i < 3; i++)
        {
            var q = c.Pairs[i].Pooled!;
            Assert.Equal(("delong", 20), (q.Test, q.Count));
            Near(delong[i][0], q.First);
            Near(delong[i][1], q.Second);
            Near(delong[i][2], q.Statistic);
            Near(delong[i][3], q.P);
            Near(delong[i][4], q.PHolm);
        }
        Assert.Equal([0.97, 0.78, 0.555], c.Studies.Select(s => Math.Round(s.Pooled!.Value, 12)));
        // Friedman over the 5 folds: scipy.stats.friedmanchisquare(a, b, c); Nemenyi CD = q(3) √(3·4/(6·5)).
        var r = c.Ranks!;
        Near(8.400000000000006, r.ChiSquare);
        Near(0.01499557682047766, r.P);
        Assert.Equal(2, r.DegreesOfFreedom);
        Assert.Equal([1.2, 1.8, 3.0], c.Studies.Select(s => Math.Round(s.AverageRank!.Value, 12)));
        Near(1.4822866628828582, r.CriticalDifference, 1e-6);
        Assert.Equal([new StudyPair("a", "c")], r.SignificantPairs);

        var back = StudyComparison.ParseJson(c.ToJson());
        Assert.Equal(c.Pairs[1].Pooled, back.Pairs[1].Pooled);
        var csv = c.ToCsv().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(string.Join(",", StudyComparison.CsvColumns), csv[0].TrimEnd('\r'));
        Assert.StartsWith("a,c,auroc,5,", csv[2]);
    }

    [Fact]
    public void Two_segmentation_studies_get_wilcoxon_over_the_images_with_a_dice_from_both_and_no_ranks()
    {
        var plan = Plan(3, 4);
        double?[] x = [0.91, 0.85, 0.78, 0.88, 0.67, 0.93, 0.72, 0.81, 0.86, 0.79, 0.90, null];
        double?[] y = [0.87, 0.865, 0.70, 0.805, 0.61, 0.90, 0.725, 0.71, 0.84, 0.695, 0.83, 0.5];
        ComparedStudy Seg(string name, double[] perFold, double?[] dice) => new($"/runs/{name}", name, TaskKind.Segmentation, ["background", "lesion"], plan, "dice",
            perFold.Select((v, k) => Fold(k, "dice", v)).ToList(),
            Enumerable.Range(0, 12).ToDictionary(i => $"s{i:00}", i => new PooledPrediction(i / 4, [0], [0.5, 0.5], dice[i])));

        var c = StudyComparer.Compare([Seg("unet", [0.82, 0.80, 0.84], x), Seg("wide", [0.79, 0.78, 0.80], y)], "dice");

        Assert.Null(c.Ranks);
        var p = Assert.Single(c.Pairs);
        // scipy.stats.wilcoxon(x, y) over the 11 images with both: exact, W = 3.
        Assert.Equal(("wilcoxon", 11), (p.Pooled!.Test, p.Pooled.Count));
        Near(3.0, p.Pooled.Statistic);
        Near(0.0048828125, p.Pooled.P);
        Near(0.0048828125, p.Pooled.PHolm);
        Near(0.8272727272727273, p.Pooled.First);
        Near(0.7772727272727273, p.Pooled.Second);
        // n_test/n_train = 12/24 over 3 folds.
        Near(0.5, c.TestTrainRatio);
        Near(3.2863353450310075, p.T);
        Near(0.08144134645630773, p.P);
    }

    [Fact]
    public void An_equal_difference_in_every_fold_has_no_t_and_Holm_runs_over_the_pairs_that_have_one()
    {
        IReadOnlyList<ComparedStudy> studies =
        [
            Binary("a", [0.81, 0.77, 0.85, 0.79, 0.83], PA),
            Binary("b", [0.80, 0.76, 0.84, 0.78, 0.82], PB),
            Binary("c", [0.70, 0.72, 0.74, 0.69, 0.75], PC),
        ];
        var c = StudyComparer.Compare(studies, "auroc");
        Assert.Null(c.Pairs[0].P);
        Assert.Null(c.Pairs[0].PHolm);
        Assert.Contains("zero variance", c.Pairs[0].Note);
        // Two p-values left: the smaller doubled.
        var (ac, bc) = (c.Pairs[1].P!.Value, c.Pairs[2].P!.Value);
        Near(2 * Math.Min(ac, bc), Math.Min(c.Pairs[1].PHolm!.Value, c.Pairs[2].PHolm!.Value));
    }

    [Fact]
    public void A_multiclass_comparison_has_fold_tests_and_says_why_it_has_no_pooled_test()
    {
        var c = StudyComparer.Compare([Binary("a", [0.81, 0.77, 0.85, 0.79, 0.83], PA, task: TaskKind.Multiclass),
            Binary("b", [0.78, 0.76, 0.80, 0.80, 0.79], PB, task: TaskKind.Multiclass)], "auroc");
        Assert.Null(c.PooledTest);
        Assert.Null(c.Pairs[0].Pooled);
        Assert.Contains("multiclass", c.PooledNote);
        Near(0.21157899460007384, c.Pairs[0].P);
    }

    [Fact]
    public void Studies_on_another_split_plan_dataset_truth_or_task_are_refused_naming_what_differs()
    {
        var a = Binary("a", [0.81, 0.77, 0.85, 0.79, 0.83], PA);
        var b = Binary("b", [0.78, 0.76, 0.80, 0.80, 0.79], PB);
        Assert.Null(StudyComparer.Mismatch([a, b]));

        Assert.Equal("/runs/a and /runs/b: not the same split plan (seed 3 vs 4), so their outer test folds are not the same images",
            StudyComparer.Mismatch([a, b with { Plan = Plan(5, 4, seed: 4) }]));
        Assert.Equal("/runs/a and /runs/b: not the same dataset (20 vs 21 samples; sample 's20' is only in /runs/b)",
            StudyComparer.Mismatch([a, b with { Plan = Plan(5, 4, extra: 1) }]));
        var flipped = (int[])Y.Clone();
        flipped[3] = 1;
        Assert.Equal("/runs/a and /runs/b: not the same dataset (sample 's03' is 'normal' in one and 'lesion' in the other)",
            StudyComparer.Mismatch([a, Binary("b", [0.78, 0.76, 0.80, 0.80, 0.79], PB, truth: flipped)]));
        Assert.Equal("/runs/a and /runs/b: not the same task (binary vs multiclass)", StudyComparer.Mismatch([a, b with { Task = TaskKind.Multiclass }]));
        Assert.Equal("/runs/a and /runs/b: not the same classes ([normal, lesion] vs [normal, tumour])", StudyComparer.Mismatch([a, b with { Classes = ["normal", "tumour"] }]));
        Assert.Contains("both studies are named 'a'", StudyComparer.Mismatch([a, b with { Name = "a" }]));
        Assert.Contains("not the same split plan", Assert.Throws<ComparisonException>(() => StudyComparer.Compare([a, b with { Plan = Plan(5, 4, seed: 4) }], "auroc")).Message);
    }

    [Fact]
    public void A_metric_no_study_reports_or_one_undefined_in_a_fold_is_refused()
    {
        var a = Binary("a", [0.81, 0.77, 0.85, 0.79, 0.83], PA);
        var b = Binary("b", [0.78, 0.76, 0.80, 0.80, 0.79], PB);
        Assert.Equal("--metric f2: not a test metric of study 'a' (it has auroc)", StudyComparer.MetricProblem([a, b], "f2"));
        var undefined = b with { Folds = [.. b.Folds.Take(2), Fold(2, "auroc", null), .. b.Folds.Skip(3)] };
        Assert.Equal("--metric auroc: undefined in outer fold 2 of study 'b' (/runs/b)", StudyComparer.MetricProblem([a, undefined], "auroc"));
        Assert.Equal("auroc", StudyComparer.DefaultMetric([a with { SearchMetric = "loss" }, b]));
        Assert.Equal("auroc", StudyComparer.DefaultMetric([a, b]));
    }
}
