using Nachos.Shared.Metrics.Segmentation;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

/// <summary>Ensemble rules scored on constructed masks, the rule chosen on validation, and a fold's ensemble of its best trials.</summary>
public sealed class SegmentationEnsembleTests
{
    // 1×6 images. Truth: pixels 1..4. Model A finds 0..2, model B finds 2..5: union 0..5, intersection 2, majority (of 2) = intersection, mean p.
    private static readonly bool[] Truth = [false, true, true, true, true, false];
    private static readonly double[] A = [0.9, 0.9, 0.9, 0.1, 0.1, 0.1];
    private static readonly double[] B = [0.1, 0.1, 0.9, 0.9, 0.9, 0.9];

    [Fact]
    public void Each_rule_and_model_gets_its_Dice_and_the_oracle_the_best_model_per_image()
    {
        var scores = EnsembleScores.Evaluate(1, 6, new Dictionary<string, bool[]> { ["x"] = Truth },
            [new Dictionary<string, double[]> { ["x"] = A }, new Dictionary<string, double[]> { ["x"] = B }]);
        var image = scores.Images.Single();
        // A: TP 2 (1, 2), FP 1 (0), FN 2 (3, 4): 4/7. B: TP 3 (2, 3, 4), FP 1 (5), FN 1 (1): 6/8.
        Assert.Equal([4.0 / 7, 6.0 / 8], image.ModelDice);
        Assert.Equal(8.0 / 10, image.RuleDice[EnsembleRule.Union], 12);       // TP 4, FP 2, FN 0
        Assert.Equal(2.0 / 5, image.RuleDice[EnsembleRule.Intersection], 12); // TP 1, FP 0, FN 3
        Assert.Equal(2.0 / 5, image.RuleDice[EnsembleRule.Majority], 12);     // 2 of 2 models needed
        Assert.Equal(8.0 / 10, image.RuleDice[EnsembleRule.MeanProbability], 12); // means 0.5 or 0.9: p >= 0.5 everywhere
        Assert.Equal(6.0 / 8, image.Oracle);
    }

    [Fact]
    public void The_best_rule_is_the_highest_mean_and_ties_go_to_the_first_rule()
    {
        var truth = new Dictionary<string, bool[]> { ["a"] = [true, false], ["b"] = [false, false] };
        var same = new Dictionary<string, double[]> { ["a"] = [0.9, 0.1], ["b"] = [0.1, 0.1] };
        var tie = EnsembleScores.Evaluate(1, 2, truth, [same, same]);
        Assert.All(Enum.GetValues<EnsembleRule>(), r => Assert.Equal(1, tie.RuleMean(r)));
        Assert.Equal(EnsembleRule.Union, tie.Best());
        var miss = new Dictionary<string, double[]> { ["a"] = [0.1, 0.1], ["b"] = [0.1, 0.1] };
        var other = EnsembleScores.Evaluate(1, 2, truth, [same, miss]);
        Assert.Equal(EnsembleRule.Union, other.Best());
        Assert.Equal(0.5, other.RuleMean(EnsembleRule.Intersection));
    }

    [Fact]
    public void A_model_without_an_image_or_an_ensemble_of_none_is_refused()
    {
        var truth = new Dictionary<string, bool[]> { ["a"] = [true] };
        Assert.Throws<ArgumentException>(() => EnsembleScores.Evaluate(1, 1, truth, []));
        var e = Assert.Throws<ArgumentException>(() => EnsembleScores.Evaluate(1, 1, truth, [new Dictionary<string, double[]>()]));
        Assert.Contains("model 1 has no probability map of image 'a'", e.Message);
    }

    [Fact]
    public void A_folds_ensemble_chooses_on_validation_and_averages_each_trials_split_models_on_the_test_images()
    {
        // Two inner splits; trial 0 sees only the left pixel, trial 1 only the right; truth has both: union wins on validation.
        var fold = new OuterFold(0, "o0", ["t1", "t2"], ["v1", "v2", "r1", "r2"],
            [new Split(["r1", "r2", "v2"], ["v1"]), new Split(["r1", "r2", "v1"], ["v2"])]);
        var truth = new Dictionary<string, bool[]> { ["v1"] = [true, true], ["v2"] = [true, true], ["t1"] = [true, true], ["t2"] = [true, false] };
        var calls = new List<(TaskAddress, string)>();
        IReadOnlyDictionary<string, double[]> Predict(TaskAddress task, IReadOnlyList<string> train, IReadOnlyList<string> ids)
        {
            calls.Add((task, string.Join(",", ids)));
            Assert.DoesNotContain(ids, train.Contains);
            // Split 1's model of trial 1 is unsure of the right pixel (0.4): averaged with split 0's 0.8 it is 0.6.
            var right = task.Split == 1 ? 0.4 : 0.8;
            return ids.ToDictionary(id => id, _ => task.Trial == 0 ? new[] { 0.9, 0.1 } : new[] { 0.1, right });
        }
        var e = FoldEnsembles.Evaluate(fold, [new("s", 1), new("s", 0)], 1, 2, id => truth[id], Predict);
        Assert.Equal(EnsembleRule.Union, e.Chosen);
        // v1 (split 0): both pixels found by the union; v2 (split 1): trial 1's 0.4 misses the right pixel.
        Assert.Equal((1 + 2.0 / 3) / 2, e.Validation.RuleMean(EnsembleRule.Union), 12);
        Assert.Equal(2.0 / 3, e.Validation.RuleMean(EnsembleRule.MeanProbability), 12);
        Assert.Equal(["s1/v2", "s0/v1"], e.Validation.Images.Select(i => i.Id).OrderDescending());
        // Test: union of trial 1 (right, p 0.6 averaged) and trial 0 (left): t1 → Dice 1, t2 (left only) → 2/3.
        Assert.Equal((1 + 2.0 / 3) / 2, e.TestDice, 12);
        Assert.Equal(4 + 4, calls.Count);
        Assert.Contains((TaskAddress.InnerSplit("s", 0, 1, 1), "t1,t2"), calls);
    }

    [Fact]
    public void The_top_trials_are_the_best_finished_ones_in_the_searchs_direction()
    {
        TrialResult T(int n, double? score, string? failure = null) => new(n, Hyperparameters.Empty, score, null, 1, [], failure);
        IReadOnlyList<TrialResult> trials = [T(0, 0.5), T(1, 0.9), T(2, null), T(3, 0.95, "diverged"), T(4, 0.9), T(5, 0.7)];
        Assert.Equal([1, 4, 5], FoldEnsembles.Top(trials, maximise: true, 3));
        Assert.Equal([0, 5], FoldEnsembles.Top(trials, maximise: false, 2));
        Assert.Throws<ArgumentException>(() => FoldEnsembles.Evaluate(new OuterFold(0, "o0", [], [], []), [new("s", 1)], 1, 1, _ => [true], (_, _, _) => null!));
        Assert.Throws<ArgumentException>(() => FoldEnsembles.Evaluate(new OuterFold(0, "o0", [], [], []), [new("s", 1), new("s", 1)], 1, 1, _ => [true], (_, _, _) => null!));
    }

    [Fact]
    public void Refits_on_an_external_set_apply_the_rule_the_folds_chose_most_often()
    {
        Assert.Equal(EnsembleRule.Majority, ExternalEnsemble.Vote([EnsembleRule.Union, EnsembleRule.Majority, EnsembleRule.Majority]));
        Assert.Equal(EnsembleRule.Intersection, ExternalEnsemble.Vote([EnsembleRule.MeanProbability, EnsembleRule.Intersection]));
        Assert.Equal(EnsembleRule.MeanProbability, ExternalEnsemble.Vote([]));

        var truth = new Dictionary<string, bool[]> { ["x"] = Truth };
        var e = ExternalEnsemble.Evaluate(1, 6, [EnsembleRule.Intersection, EnsembleRule.Union, EnsembleRule.Intersection],
            [(0, new Dictionary<string, double[]> { ["x"] = A }), (2, new Dictionary<string, double[]> { ["x"] = B })], truth);
        Assert.Equal([0, 2], e.Refits);
        Assert.Equal(EnsembleRule.Intersection, e.Applied);
        Assert.Equal(2, e.Votes[EnsembleRule.Intersection]);
        Assert.Equal(2.0 / 5, e.Dice, 12);                                       // TP 1, FP 0, FN 3
        Assert.Equal(8.0 / 10, e.Scores.RuleMean(EnsembleRule.Union), 12);
        Assert.Equal(4.0 / 7, e.Scores.ModelMean(0), 12);                         // A: TP 2, FP 1, FN 2
        Assert.Equal(6.0 / 8, e.Scores.OracleMean, 12);                           // B: TP 3, FP 1, FN 1
        Assert.Throws<ArgumentException>(() => ExternalEnsemble.Evaluate(1, 6, [], [(0, new Dictionary<string, double[]> { ["x"] = A })], truth));
    }
}
