using Nachos.Shared.Predictions;
using Nachos.Shared.Registry;
using Nachos.Shared.Spec;
using Xunit;

namespace Nachos.Shared.Tests;

/// <summary>
/// The registry's champion/challenger rule on constructed predictions. Expected DeLong p-values come from an independent
/// O(m·n) DeLong written with numpy (structural components by pairwise comparison, one-sided p = norm.sf(z)); Wilcoxon
/// p-values from scipy.stats.wilcoxon(alternative='greater'), SciPy 1.10.1.
/// </summary>
public sealed class PromotionRuleTests
{
    private static readonly string[] Classes = ["benign", "malignant"];
    private const int N = 40;

    private static double Champion(int i) => (i * 7 % 40) / 50.0 + 0.15 * (i % 2);

    private static ModelEvaluation Binary(Func<int, double> score, string set = "eval", int n = N, Func<int, int>? label = null)
    {
        label ??= i => i % 2;
        var rows = Enumerable.Range(0, n).Select(i => new PredictionRow($"img{i:D3}", "predict", [label(i)], [1 - score(i), score(i)])).ToList();
        return ModelEvaluation.Of("eval.csv", set, TaskKind.Binary, Classes, new PredictionsTable(Classes, [], rows), 0.5);
    }

    [Fact]
    public void A_significantly_better_AUROC_is_promoted_with_the_DeLong_p_value_of_numpy()
    {
        var decision = PromotionRule.Decide(Binary(Champion), Binary(i => (i * 7 % 40) / 50.0 * 0.5 + 0.45 * (i % 2)), false, null, 0.05);
        Assert.Equal(PromotionOutcome.Promoted, decision.Outcome);
        Assert.Equal("auroc", decision.Metric);
        Assert.StartsWith("DeLong", decision.Test);
        Assert.Equal(0.00014346483467798257, decision.P!.Value, 1e-12);
        Assert.Equal(0.3, decision.Difference!.Value, 1e-12);
        Assert.Equal(0.1639426109798935, decision.CiLow!.Value, 1e-9);
        Assert.Equal(0.4360573890201066, decision.CiHigh!.Value, 1e-9);
    }

    [Fact]
    public void A_worse_challenger_is_refused()
    {
        var decision = PromotionRule.Decide(Binary(Champion), Binary(i => (i * 11 % 40) / 50.0 + 0.02 * (i % 2)), false, null, 0.05);
        Assert.Equal(PromotionOutcome.NotBetter, decision.Outcome);
        Assert.Equal(0.8623681368179408, decision.P!.Value, 1e-12);
        Assert.Equal(-0.14875, decision.Difference!.Value, 1e-12);
        Assert.Contains("not significantly better", decision.Reason);
        Assert.Contains("p = 0.8624", decision.Reason);
    }

    [Fact]
    public void A_higher_AUROC_that_is_not_significant_is_refused()
    {
        var decision = PromotionRule.Decide(Binary(Champion), Binary(i => (i * 11 % 40) / 50.0 + 0.2 * (i % 2)), false, null, 0.05);
        Assert.Equal(PromotionOutcome.NotBetter, decision.Outcome);
        Assert.Equal(0.0375, decision.Difference!.Value, 1e-12);
        Assert.Equal(0.3804282522572855, decision.P!.Value, 1e-12);
    }

    [Fact]
    public void An_equal_challenger_is_refused()
    {
        // The same AUROC from other scores (numpy: p = 0.5), and the very same scores (no variance: p = 1).
        var other = PromotionRule.Decide(Binary(Champion), Binary(i => (i * 11 % 40) / 50.0 + 0.16 * (i % 2)), false, null, 0.05);
        Assert.Equal(PromotionOutcome.NotBetter, other.Outcome);
        Assert.Equal(0.5, other.P!.Value, 1e-12);
        var same = PromotionRule.Decide(Binary(Champion), Binary(Champion), false, null, 0.05);
        Assert.Equal(PromotionOutcome.NotBetter, same.Outcome);
        Assert.Equal(1.0, same.P);
        Assert.Equal(0.0, same.Difference);
    }

    [Fact]
    public void A_different_evaluation_set_is_refused_naming_both_hashes()
    {
        var champion = Binary(Champion, "site-a");
        var challenger = Binary(i => (i * 7 % 40) / 50.0 * 0.5 + 0.45 * (i % 2), "site-b", n: 42);
        var decision = PromotionRule.Decide(champion, challenger, false, null, 0.05);
        Assert.Equal(PromotionOutcome.DifferentSet, decision.Outcome);
        Assert.NotEqual(champion.SetHash, challenger.SetHash);
        Assert.Contains(champion.SetHash, decision.Reason);
        Assert.Contains(challenger.SetHash, decision.Reason);
        // The same images with other truth are another set too.
        var relabelled = Binary(Champion, "eval", label: i => i < 2 ? 1 - i % 2 : i % 2);
        Assert.NotEqual(Binary(Champion).SetHash, relabelled.SetHash);
    }

    [Fact]
    public void The_set_hash_ignores_row_order_and_probabilities()
    {
        var rows = Enumerable.Range(0, 6).Select(i => new PredictionRow($"x{i}", "predict", [i % 2], [0.5, 0.5])).ToList();
        var shuffled = rows.AsEnumerable().Reverse().Select(r => r with { Probabilities = [0.1, 0.9] }).ToList();
        Assert.Equal(EvaluationSetHash.Of(TaskKind.Binary, Classes, rows), EvaluationSetHash.Of(TaskKind.Binary, Classes, shuffled));
    }

    [Fact]
    public void The_first_champion_needs_no_test_and_the_champion_is_not_promoted_again()
    {
        var first = PromotionRule.Decide(null, Binary(Champion), false, null, 0.05);
        Assert.Equal(PromotionOutcome.Promoted, first.Outcome);
        Assert.Null(first.P);
        Assert.Equal(PromotionOutcome.AlreadyChampion, PromotionRule.Decide(Binary(Champion), Binary(Champion), true, null, 0.05).Outcome);
    }

    private static readonly string[] SegClasses = ["background", "lesion"];

    private static ModelEvaluation Segmentation(Func<int, int> diceThousandths)
    {
        var rows = Enumerable.Range(0, 30).Select(i => new PredictionRow($"s{i:D2}", "predict", [], [0.9],
            new Dictionary<string, string> { ["dice"] = (diceThousandths(i) / 1000.0).ToString("R", System.Globalization.CultureInfo.InvariantCulture) })).ToList();
        return ModelEvaluation.Of("seg.csv", "seg", TaskKind.Segmentation, SegClasses, new PredictionsTable(SegClasses, ["dice"], rows), 0.5);
    }

    private static int E(int i) => (i + 1) * (i % 4 == 0 ? -1 : 1);
    private static int Base(int i) => 500 + i * 13 % 200;

    [Fact]
    public void Segmentation_uses_Wilcoxon_over_per_image_Dice_with_the_p_values_of_SciPy()
    {
        var better = PromotionRule.Decide(Segmentation(Base), Segmentation(i => Base(i) + E(i)), false, null, 0.05);
        Assert.Equal(PromotionOutcome.Promoted, better.Outcome);
        Assert.StartsWith("Wilcoxon", better.Test);
        Assert.Equal(0.009830407798290253, better.P!.Value, 1e-12);
        Assert.Equal(0.0075, better.Difference!.Value, 1e-9);
        Assert.True(better.CiLow < better.Difference && better.Difference < better.CiHigh);

        var worse = PromotionRule.Decide(Segmentation(Base), Segmentation(i => Base(i) - E(i)), false, null, 0.05);
        Assert.Equal(PromotionOutcome.NotBetter, worse.Outcome);
        Assert.Equal(0.9907352598384023, worse.P!.Value, 1e-12);
    }

    [Fact]
    public void Other_metrics_use_a_seeded_paired_bootstrap()
    {
        // Accuracy at 0.5: the champion gets the first 10 images wrong, the challenger none.
        ModelEvaluation Model(int wrong) => Binary(i => (i % 2 == 1) == (i < wrong) ? 0.3 : 0.7);
        var better = PromotionRule.Decide(Model(10), Model(0), false, "accuracy", 0.05);
        Assert.Equal(PromotionOutcome.Promoted, better.Outcome);
        Assert.StartsWith("paired bootstrap", better.Test);
        Assert.Equal(0.25, better.Difference!.Value, 1e-12);
        Assert.True(better.P < 0.001);
        Assert.Equal(better, PromotionRule.Decide(Model(10), Model(0), false, "accuracy", 0.05));

        var worse = PromotionRule.Decide(Model(0), Model(1), false, "accuracy", 0.05);
        Assert.Equal(PromotionOutcome.NotBetter, worse.Outcome);
        Assert.Equal(1.0, worse.P);
    }

    [Fact]
    public void Bad_alpha_and_unknown_metrics_are_refused()
    {
        Assert.Throws<RegistryException>(() => PromotionRule.Decide(null, Binary(Champion), false, null, 0.5));
        Assert.Throws<RegistryException>(() => PromotionRule.Decide(null, Binary(Champion), false, null, 0));
        var e = Assert.Throws<RegistryException>(() => PromotionRule.Decide(null, Binary(Champion), false, "dice", 0.05));
        Assert.Contains("metric 'dice'", e.Message);
    }

    [Fact]
    public void An_evaluation_without_truth_or_other_classes_is_refused()
    {
        var rows = new List<PredictionRow> { new("a", "predict", [], [0.4, 0.6]) };
        var noTruth = Assert.Throws<RegistryException>(() => ModelEvaluation.Of("p.csv", "s", TaskKind.Binary, Classes, new PredictionsTable(Classes, [], rows), 0.5));
        Assert.Contains("p.csv:2: the truth is empty", noTruth.Message);
        var other = Assert.Throws<RegistryException>(() => ModelEvaluation.Of("p.csv", "s", TaskKind.Binary, ["a", "b"], new PredictionsTable(Classes, [], rows), 0.5));
        Assert.Contains("not the bundle's classes", other.Message);
    }
}
