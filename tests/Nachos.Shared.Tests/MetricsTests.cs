using Nachos.Shared.Metrics;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Tests;

public sealed class MetricsTests
{
    private const int Precision = 12;

    // ---------- AUROC ----------

    [Fact]
    public void Auroc_of_a_perfect_ranking_is_one()
    {
        Assert.Equal(1.0, Auroc.Compute([0.1, 0.2, 0.8, 0.9], [false, false, true, true]));
        // Order of samples does not matter.
        Assert.Equal(1.0, Auroc.Compute([0.9, 0.1, 0.8, 0.2], [true, false, true, false]));
    }

    [Fact]
    public void Auroc_of_an_inverted_ranking_is_zero() =>
        Assert.Equal(0.0, Auroc.Compute([0.9, 0.8, 0.2, 0.1], [false, false, true, true]));

    [Fact]
    public void Auroc_when_every_score_ties_is_one_half() =>
        Assert.Equal(0.5, Auroc.Compute([0.3, 0.3, 0.3, 0.3, 0.3], [true, false, false, true, false]));

    [Fact]
    public void Auroc_counts_a_tied_pair_as_one_half()
    {
        // Positives 0.5, 0.8; negatives 0.2, 0.5, 0.3.
        // Pairs won by the positive: (0.5>0.2)=1, (0.5=0.5)=1/2, (0.5>0.3)=1, 0.8 beats all three = 3. 5.5 of 6.
        var auc = Auroc.Compute([0.2, 0.5, 0.5, 0.8, 0.3], [false, true, false, true, false]);
        Assert.NotNull(auc);
        Assert.Equal(5.5 / 6, auc.Value, Precision);
    }

    [Fact]
    public void Auroc_with_ties_inside_each_class_and_across()
    {
        // Positives 0.4, 0.4, 0.9; negatives 0.1, 0.4, 0.4.
        // Each 0.4 positive: beats 0.1 (1) + ties two 0.4s (1/2 + 1/2) = 2; 0.9 beats all = 3. Total 7 of 9.
        var auc = Auroc.Compute([0.4, 0.1, 0.4, 0.4, 0.9, 0.4], [true, false, false, true, true, false]);
        Assert.Equal(7.0 / 9, auc!.Value, Precision);
    }

    [Fact]
    public void Auroc_of_a_pixel_map_matches_the_pairwise_definition()
    {
        // A segmentation's pixel AUROC: thousands of float probabilities, saturated ones tied at 0 and 1, in pixel order.
        var rng = new Random(5);
        var n = 3000;
        var labels = Enumerable.Range(0, n).Select(i => i % 7 < 2).ToArray();
        var scores = labels.Select(l => rng.Next(5) == 0 ? (l ? 1.0 : 0.0) : (double)(float)(1 / (1 + Math.Exp(-(rng.NextDouble() * 6 - (l ? 2 : 4)))))).ToArray();
        Assert.Equal(Pairwise(scores, labels)!.Value, Auroc.Compute(scores, labels)!.Value, Precision);
    }

    [Fact]
    public void Auroc_matches_the_pairwise_definition_on_random_data_with_ties()
    {
        var rng = new Random(1);
        for (var trial = 0; trial < 200; trial++)
        {
            var n = rng.Next(2, 40);
            var scores = Enumerable.Range(0, n).Select(_ => rng.Next(0, 6) / 5.0).ToArray(); // few distinct values: many ties
            var labels = Enumerable.Range(0, n).Select(_ => rng.Next(2) == 1).ToArray();
            var expected = Pairwise(scores, labels);
            var actual = Auroc.Compute(scores, labels);
            if (expected is null) Assert.Null(actual);
            else Assert.Equal(expected.Value, actual!.Value, Precision);
        }
    }

    /// <summary>The definition: P(score of a random positive > score of a random negative), ties 1/2.</summary>
    private static double? Pairwise(double[] scores, bool[] labels)
    {
        double wins = 0;
        var pairs = 0;
        for (var i = 0; i < scores.Length; i++)
            for (var j = 0; j < scores.Length; j++)
                if (labels[i] && !labels[j])
                {
                    pairs++;
                    wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0;
                }
        return pairs == 0 ? null : wins / pairs;
    }

    [Fact]
    public void Auroc_of_a_single_class_is_undefined()
    {
        Assert.Null(Auroc.Compute([0.1, 0.9], [true, true]));
        Assert.Null(Auroc.Compute([0.1, 0.9], [false, false]));
    }

    [Fact]
    public void Roc_curve_runs_from_origin_to_one_one_through_each_distinct_threshold()
    {
        double[] scores = [0.9, 0.8, 0.8, 0.6, 0.3, 0.1];
        bool[] labels = [true, true, false, true, false, false];
        var curve = Auroc.Curve(scores, labels);

        Assert.Equal((0.0, 0.0), curve[0]);
        Assert.Equal((1.0, 1.0), curve[^1]);
        Assert.Equal(scores.Distinct().Count() + 1, curve.Count);
        // By hand, 3 positives and 3 negatives; at threshold 0.9: 1 TP; 0.8: 2 TP + 1 FP (the tie moves
        // both at once); 0.6: 3 TP; 0.3: 2 FP; 0.1: everything.
        (double, double)[] expected = [(0, 0), (0, 1 / 3.0), (1 / 3.0, 2 / 3.0), (1 / 3.0, 1), (2 / 3.0, 1), (1, 1)];
        Assert.Equal(expected, curve.Select(p => (p.Fpr, p.Tpr)), new RoundedPoint());
        // Trapezoid area under the curve equals the AUROC (ties give diagonal segments).
        Assert.Equal(Auroc.Compute(scores, labels)!.Value, Trapezoid(curve), Precision);
    }

    private sealed class RoundedPoint : IEqualityComparer<(double, double)>
    {
        public bool Equals((double, double) a, (double, double) b) => Math.Abs(a.Item1 - b.Item1) < 1e-9 && Math.Abs(a.Item2 - b.Item2) < 1e-9;
        public int GetHashCode((double, double) p) => 0;
    }

    [Fact]
    public void Roc_curve_area_equals_auroc_and_is_monotone_on_random_data()
    {
        var rng = new Random(2);
        for (var trial = 0; trial < 100; trial++)
        {
            var n = rng.Next(2, 30);
            var scores = Enumerable.Range(0, n).Select(_ => rng.Next(0, 8) / 7.0).ToArray();
            var labels = Enumerable.Range(0, n).Select(i => i == 0 || (i != 1 && rng.Next(2) == 1)).ToArray();
            var curve = Auroc.Curve(scores, labels);
            Assert.Equal((0.0, 0.0), curve[0]);
            Assert.Equal(1.0, curve[^1].Fpr, Precision);
            Assert.Equal(1.0, curve[^1].Tpr, Precision);
            for (var i = 1; i < curve.Count; i++)
            {
                Assert.True(curve[i].Fpr >= curve[i - 1].Fpr);
                Assert.True(curve[i].Tpr >= curve[i - 1].Tpr);
            }
            Assert.Equal(Pairwise(scores, labels)!.Value, Trapezoid(curve), Precision);
        }
    }

    private static double Trapezoid(IReadOnlyList<(double Fpr, double Tpr)> curve)
    {
        double area = 0;
        for (var i = 1; i < curve.Count; i++) area += (curve[i].Fpr - curve[i - 1].Fpr) * (curve[i].Tpr + curve[i - 1].Tpr) / 2;
        return area;
    }

    // ---------- classification metrics ----------

    private static IReadOnlyList<IReadOnlyList<int>> Labels(params int[] classes) => classes.Select(c => (IReadOnlyList<int>)[c]).ToArray();

    private static IReadOnlyList<IReadOnlyList<double>> BinaryProbabilities(params double[] positive) =>
        positive.Select(p => (IReadOnlyList<double>)[1 - p, p]).ToArray();

    [Fact]
    public void Binary_metrics_on_a_hand_computed_example_with_p_exactly_one_half_positive()
    {
        // truth:  1    1    1    0    0       0    0
        // p:      0.9  0.5  0.2  0.7  0.4999  0.1  0.3
        // pred:   1    1    0    1    0       0    0      (0.5 counts as positive)
        // TP = 2, FN = 1, FP = 1, TN = 3.
        var m = ClassificationMetrics.Compute(TaskKind.Binary,
            Labels(1, 1, 1, 0, 0, 0, 0), BinaryProbabilities(0.9, 0.5, 0.2, 0.7, 0.4999, 0.1, 0.3));

        Assert.Equal(7, m.Count);
        var matrix = Assert.Single(m.Confusion);
        Assert.Equal([3, 1], matrix[0]); // truth 0: TN, FP
        Assert.Equal([1, 2], matrix[1]); // truth 1: FN, TP
        Assert.Equal(5.0 / 7, m.Accuracy, Precision);
        Assert.Equal(2.0 / 3, m.Sensitivity!.Value, Precision);
        Assert.Equal(3.0 / 4, m.Specificity!.Value, Precision);
        Assert.Equal((2.0 / 3 + 3.0 / 4) / 2, m.BalancedAccuracy!.Value, Precision);
        Assert.Equal(2.0 * 2 / (2 * 2 + 1 + 1), m.F1!.Value, Precision);
        // Pairs (positive, negative) won: 0.9 beats 4, 0.5 beats 3 (not 0.7), 0.2 beats 1 (0.1): 8 of 12.
        Assert.Equal(8.0 / 12, m.Auroc!.Value, Precision);
        Assert.Equal(m.Auroc, m.AurocPerClass[1]);
        Assert.Equal(m.Sensitivity, m.Get("sensitivity"));
        Assert.Equal(m.BalancedAccuracy, m.Get("balanced_accuracy"));
        Assert.Throws<ArgumentException>(() => m.Get("precision"));
    }

    [Fact]
    public void Binary_threshold_is_inclusive_at_one_half_and_exclusive_just_below()
    {
        var at = ClassificationMetrics.Compute(TaskKind.Binary, Labels(1, 0), BinaryProbabilities(0.5, 0.1));
        Assert.Equal(1.0, at.Sensitivity);
        var below = ClassificationMetrics.Compute(TaskKind.Binary, Labels(1, 0), BinaryProbabilities(Math.BitDecrement(0.5), 0.1));
        Assert.Equal(0.0, below.Sensitivity);
    }

    [Fact]
    public void Binary_with_no_positive_cases_leaves_sensitivity_and_auroc_undefined()
    {
        var m = ClassificationMetrics.Compute(TaskKind.Binary, Labels(0, 0, 0), BinaryProbabilities(0.2, 0.7, 0.1));
        Assert.Null(m.Sensitivity);
        Assert.Null(m.Auroc);
        Assert.Null(m.BalancedAccuracy);
        Assert.Equal(2.0 / 3, m.Specificity!.Value, Precision);
        Assert.Equal(0.0, m.F1); // one false positive: 2*0 / (0 + 1 + 0)
        Assert.Equal(2.0 / 3, m.Accuracy, Precision);

        var none = ClassificationMetrics.Compute(TaskKind.Binary, Labels(0, 0), BinaryProbabilities(0.2, 0.1));
        Assert.Null(none.F1); // neither a positive case nor a positive prediction
        Assert.Equal(1.0, none.Specificity);
    }

    [Fact]
    public void Multiclass_predicts_argmax_with_ties_to_the_lowest_index()
    {
        // truth  probabilities         prediction
        // 0      0.5  0.3  0.2         0
        // 0      0.4  0.4  0.2         0 (tie 0/1)
        // 1      0.3  0.35 0.35        1 (tie 1/2)
        // 1      0.6  0.3  0.1         0
        // 2      0.1  0.2  0.7         2
        // 2      0.2  0.4  0.4         1 (tie 1/2)
        var m = ClassificationMetrics.Compute(TaskKind.Multiclass, Labels(0, 0, 1, 1, 2, 2), [
            [0.5, 0.3, 0.2], [0.4, 0.4, 0.2], [0.3, 0.35, 0.35], [0.6, 0.3, 0.1], [0.1, 0.2, 0.7], [0.2, 0.4, 0.4]]);

        var matrix = Assert.Single(m.Confusion);
        Assert.Equal([2, 0, 0], matrix[0]);
        Assert.Equal([1, 1, 0], matrix[1]);
        Assert.Equal([0, 1, 1], matrix[2]);
        Assert.Equal(4.0 / 6, m.Accuracy, Precision);
        // Recall per class 1, 1/2, 1/2: macro 2/3, which is also the balanced accuracy.
        Assert.Equal(2.0 / 3, m.Sensitivity!.Value, Precision);
        Assert.Equal(2.0 / 3, m.BalancedAccuracy!.Value, Precision);
        // Specificity one-vs-rest: class 0: 3 of 4 negatives not called 0; class 1: 3 of 4; class 2: 4 of 4.
        Assert.Equal((0.75 + 0.75 + 1) / 3, m.Specificity!.Value, Precision);
        // F1 one-vs-rest: class 0: TP2 FP1 FN0 = 4/5; class 1: TP1 FP1 FN1 = 1/2; class 2: TP1 FP0 FN1 = 2/3.
        Assert.Equal((0.8 + 0.5 + 2.0 / 3) / 3, m.F1!.Value, Precision);
        Assert.Equal(3, m.AurocPerClass.Count);
        Assert.Equal(m.AurocPerClass.Average(a => a!.Value), m.Auroc!.Value, Precision);
    }

    [Fact]
    public void Multiclass_macro_recall_skips_a_class_absent_from_the_truth()
    {
        // Class 2 never occurs: its recall is undefined and left out of the macro average.
        var m = ClassificationMetrics.Compute(TaskKind.Multiclass, Labels(0, 0, 1, 1), [
            [0.8, 0.1, 0.1], [0.1, 0.1, 0.8], [0.1, 0.8, 0.1], [0.1, 0.7, 0.2]]);
        Assert.Equal((0.5 + 1.0) / 2, m.Sensitivity!.Value, Precision);
        Assert.Null(m.AurocPerClass[2]);
        Assert.NotNull(m.AurocPerClass[0]);
    }

    [Fact]
    public void Multilabel_metrics_are_per_label_then_averaged()
    {
        // label 0: truth 1 1 0 0, p 0.8 0.4 0.5 0.1 -> pred 1 0 1 0: TP1 FN1 FP1 TN1
        // label 1: truth 0 1 1 0, p 0.2 0.6 0.9 0.5 -> pred 0 1 1 1: TP2 FN0 FP1 TN1
        IReadOnlyList<IReadOnlyList<int>> labels = [[1, 0], [1, 1], [0, 1], [0, 0]];
        IReadOnlyList<IReadOnlyList<double>> p = [[0.8, 0.2], [0.4, 0.6], [0.5, 0.9], [0.1, 0.5]];
        var m = ClassificationMetrics.Compute(TaskKind.Multilabel, labels, p);

        Assert.Equal(2, m.Confusion.Count);
        Assert.Equal([1, 1], m.Confusion[0][0]);
        Assert.Equal([1, 1], m.Confusion[0][1]);
        Assert.Equal([1, 1], m.Confusion[1][0]);
        Assert.Equal([0, 2], m.Confusion[1][1]);
        Assert.Equal((0.5 + 1.0) / 2, m.Sensitivity!.Value, Precision);
        Assert.Equal((0.5 + 0.5) / 2, m.Specificity!.Value, Precision);
        Assert.Equal((0.5 + 0.8) / 2, m.F1!.Value, Precision);
        Assert.Equal((0.5 + 0.75) / 2, m.Accuracy, Precision);
        Assert.Equal((0.5 + 0.75) / 2, m.BalancedAccuracy!.Value, Precision);
        // AUROC label 0: positives 0.8, 0.4 vs negatives 0.5, 0.1: 3 of 4. Label 1: 0.6, 0.9 vs 0.2, 0.5: 4 of 4.
        Assert.Equal(0.75, m.AurocPerClass[0]!.Value, Precision);
        Assert.Equal(1.0, m.AurocPerClass[1]!.Value, Precision);
        Assert.Equal(0.875, m.Auroc!.Value, Precision);
    }

    [Fact]
    public void Multilabel_label_without_positives_is_left_out_of_macro_sensitivity()
    {
        // Label 1 is never positive: its sensitivity and AUROC are undefined and skipped.
        IReadOnlyList<IReadOnlyList<int>> labels = [[1, 0], [0, 0], [1, 0]];
        IReadOnlyList<IReadOnlyList<double>> p = [[0.9, 0.1], [0.2, 0.6], [0.3, 0.2]];
        var m = ClassificationMetrics.Compute(TaskKind.Multilabel, labels, p);
        Assert.Equal(0.5, m.Sensitivity!.Value, Precision); // label 0 only: 1 of 2
        Assert.Null(m.AurocPerClass[1]);
        Assert.Equal(1.0, m.Auroc!.Value, Precision); // label 0 only
        // Specificity: label 0: 1 of 1; label 1: 2 of 3.
        Assert.Equal((1.0 + 2.0 / 3) / 2, m.Specificity!.Value, Precision);
    }

    [Fact]
    public void Mismatched_or_empty_inputs_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Compute(TaskKind.Binary, Labels(0, 1), BinaryProbabilities(0.5)));
        Assert.Throws<ArgumentException>(() => ClassificationMetrics.Compute(TaskKind.Binary, Labels(), BinaryProbabilities()));
    }
}
