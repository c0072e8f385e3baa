using Nachos.Shared.Metrics;
using Nachos.Shared.Spec;
using Nachos.Shared.SpecLoading;

namespace Nachos.Shared.Tests;

/// <summary>
/// The threshold rules against scikit-learn 1.2.1's <c>roc_curve(drop_intermediate=False)</c> (candidates: its finite
/// thresholds): Youden = thr[argmax(tpr − fpr)], target sensitivity s = thr[argmax(tpr ≥ s)], target specificity q = the last
/// thr with (N − fps)/N ≥ q. Values computed beforehand (/usr/bin/python3, numpy and scikit-learn) and written in.
/// </summary>
public sealed class OperatingPointTests
{
    private static readonly ThresholdRule Youden = new(ThresholdRuleKind.Youden, 0);
    private static ThresholdRule Sensitivity(double v) => new(ThresholdRuleKind.Sensitivity, v);
    private static ThresholdRule Specificity(double v) => new(ThresholdRuleKind.Specificity, v);

    private static OperatingPoint Decide(ThresholdRule rule, int[] truth, double[] scores) =>
        OperatingPoint.Decide(rule, truth.Select(t => t == 1).ToList(), scores);

    // Tied scores (0.2, 0.4 and 0.8 each held by a positive and a negative) and two thresholds tied for the largest J.
    private static readonly int[] TruthA = [0, 0, 1, 0, 0, 1, 1, 0, 1, 1, 0, 1];
    private static readonly double[] ScoresA = [0.1, 0.2, 0.2, 0.35, 0.4, 0.4, 0.55, 0.6, 0.7, 0.8, 0.8, 0.9];

    [Fact]
    public void Youden_J_takes_scikit_learns_threshold_and_the_highest_of_tied_maxima()
    {
        // scikit-learn: 0.7, with 2 thresholds at the largest J.
        var point = Decide(Youden, TruthA, ScoresA);
        Assert.Equal(0.7, point.Threshold);
        Assert.Equal((3.0 / 6, 5.0 / 6), (point.Sensitivity!.Value, point.Specificity!.Value));
        Assert.Equal((6, 6), (point.Positives, point.Negatives));
        // 0.6, 0.4 and 0.2 tie exactly at J = 1/3. scikit-learn's float tpr − fpr makes 0.2 the largest by rounding
        // (1 − 2/3 > 1/3 − 0 in binary floating point) and takes it; J is compared exactly here, so the tie goes to the highest, 0.6.
        Assert.Equal(0.6, Decide(Youden, [0, 1, 0, 1, 0, 1], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]).Threshold);
    }

    [Fact]
    public void A_target_sensitivity_takes_the_highest_threshold_reaching_it()
    {
        // scikit-learn: 0.4 for 0.8 (0.2 would reach it too, with a worse specificity); 0.4 for 0.5 on the second set; 0.2 for 1.0.
        Assert.Equal(0.4, Decide(Sensitivity(0.8), TruthA, ScoresA).Threshold);
        Assert.True(Decide(Sensitivity(0.8), TruthA, ScoresA).Sensitivity >= 0.8);
        Assert.Equal(0.4, Decide(Sensitivity(0.5), [0, 1, 0, 1, 0, 1], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]).Threshold);
        Assert.Equal(0.2, Decide(Sensitivity(1.0), [0, 1, 0, 0, 1, 1, 0, 1], [0.9, 0.9, 0.8, 0.3, 0.3, 0.2, 0.1, 0.7]).Threshold);
    }

    [Fact]
    public void A_target_specificity_takes_the_lowest_threshold_reaching_it_or_above_every_score_when_none_does()
    {
        // scikit-learn: 0.7 for 0.75; 0.4 for 0.5 on the second set.
        Assert.Equal(0.7, Decide(Specificity(0.75), TruthA, ScoresA).Threshold);
        Assert.Equal(0.4, Decide(Specificity(0.5), [0, 1, 0, 1, 0, 1], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6]).Threshold);
        // A negative holds the top score 0.9 (with a positive), so no finite threshold of scikit-learn reaches 0.9 (it gives inf).
        var none = Decide(Specificity(0.9), [0, 1, 0, 0, 1, 1, 0, 1], [0.9, 0.9, 0.8, 0.3, 0.3, 0.2, 0.1, 0.7]);
        Assert.Equal(Math.BitIncrement(0.9), none.Threshold);
        Assert.Equal((0.0, 1.0), (none.Sensitivity!.Value, none.Specificity!.Value));
        Assert.Contains("no score reaches it", none.ChosenBy);
    }

    [Theory]
    [InlineData("youden")]
    [InlineData("sensitivity")]
    [InlineData("specificity")]
    public void Without_both_classes_or_without_predictions_the_rule_keeps_0_5_and_says_why(string kind)
    {
        var rule = kind switch { "youden" => Youden, "sensitivity" => Sensitivity(0.9), _ => Specificity(0.9) };
        var positives = Decide(rule, [1, 1, 1], [0.2, 0.6, 0.9]);
        Assert.Equal(0.5, positives.Threshold);
        Assert.Contains("one class only", positives.ChosenBy);
        Assert.Equal((2.0 / 3, (double?)null), (positives.Sensitivity!.Value, positives.Specificity));
        Assert.Contains("one class only", Decide(rule, [0, 0], [0.2, 0.6]).ChosenBy);
        var empty = Decide(rule, [], []);
        Assert.Equal(0.5, empty.Threshold);
        Assert.Contains("no inner validation predictions", empty.ChosenBy);
    }

    [Fact]
    public void A_fixed_threshold_is_applied_as_given()
    {
        var point = Decide(new ThresholdRule(ThresholdRuleKind.Fixed, 0.35), TruthA, ScoresA);
        Assert.Equal(0.35, point.Threshold);
        Assert.Equal("fixed threshold 0.35", point.ChosenBy);
    }

    [Fact]
    public void The_threshold_is_what_the_decision_rule_and_the_metrics_apply()
    {
        Assert.Equal([1], DecisionRule.Predict(TaskKind.Binary, [0.7, 0.3], 0.3));
        Assert.Equal([0], DecisionRule.Predict(TaskKind.Binary, [0.71, 0.29], 0.3));
        // Multi-label keeps 0.5 per label whatever the binary threshold.
        Assert.Equal([0, 1], DecisionRule.Predict(TaskKind.Multilabel, [0.3, 0.5], 0.2));
        var labels = TruthA.Select(t => (IReadOnlyList<int>)[t]).ToList();
        var probabilities = ScoresA.Select(p => (IReadOnlyList<double>)[1 - p, p]).ToList();
        var at = ClassificationMetrics.Compute(TaskKind.Binary, labels, probabilities, 0.7);
        Assert.Equal((3.0 / 6, 5.0 / 6), (at.Sensitivity!.Value, at.Specificity!.Value));
        Assert.Equal(ClassificationMetrics.Compute(TaskKind.Binary, labels, probabilities).Auroc, at.Auroc);
    }

    private const string Binary = """
        name: st
        task: binary
        dataset:
          synthetic: { patients: 20 }
          classes: [normal, lesion]
        """;

    private static StudySpec Load(string yaml) => SpecLoader.Parse(yaml, Path.Combine(Path.GetTempPath(), "st.yaml"));

    [Theory]
    [InlineData("", "0.5", true)]
    [InlineData("evaluation: { threshold: 0.5 }", "0.5", true)]
    [InlineData("evaluation: { threshold: 0.3 }", "0.3", false)]
    [InlineData("evaluation: { threshold: youden }", "youden", false)]
    [InlineData("evaluation:\n  threshold:\n    sensitivity: 0.9", "sensitivity: 0.9", false)]
    [InlineData("evaluation: { threshold: { specificity: 0.95 } }", "specificity: 0.95", false)]
    public void The_spec_sets_the_rule_and_0_5_is_the_default(string evaluation, string rule, bool isDefault)
    {
        var spec = Load(Binary + "\n" + evaluation + "\n");
        Assert.Equal(rule, spec.Evaluation.Threshold.ToString());
        Assert.Equal(isDefault, spec.Evaluation.Threshold.IsDefault);
    }

    [Theory]
    [InlineData("evaluation: { threshold: yoden }", "evaluation.threshold: expected a number between 0 and 1, youden, { sensitivity: TARGET } or { specificity: TARGET }, got 'yoden'")]
    [InlineData("evaluation: { threshold: 1.5 }", "evaluation.threshold: must be >= 0 and <= 1, got 1.5")]
    [InlineData("evaluation: { threshold: { sensitivity: 0 } }", "evaluation.threshold.sensitivity: must be > 0 and <= 1, got 0")]
    [InlineData("evaluation: { threshold: { specificity: high } }", "evaluation.threshold.specificity: expected a number, got 'high'")]
    [InlineData("evaluation: { threshold: { sensitivty: 0.9 } }", "evaluation.threshold.sensitivty: unknown key 'sensitivty' (did you mean 'sensitivity'?)")]
    [InlineData("evaluation: { threshold: { sensitivity: 0.9, specificity: 0.9 } }", "evaluation.threshold: expected a number between 0 and 1, youden, { sensitivity: TARGET } or { specificity: TARGET }: give exactly one target")]
    [InlineData("evaluation: { threshold: [0.5] }", "evaluation.threshold: expected a number between 0 and 1")]
    public void A_bad_threshold_is_an_error_naming_the_key_and_the_value(string evaluation, string message)
    {
        var e = Assert.Throws<SpecException>(() => Load(Binary + "\n" + evaluation + "\n"));
        Assert.Contains(message, e.Message);
    }

    [Theory]
    [InlineData("multiclass", "[a, b, c]")]
    [InlineData("multilabel", "[a, b]")]
    public void Only_a_binary_task_takes_a_threshold(string task, string classes)
    {
        var yaml = Binary.Replace("task: binary", $"task: {task}").Replace("[normal, lesion]", classes) + "\nevaluation: { threshold: youden }\n";
        var e = Assert.Throws<SpecException>(() => Load(yaml));
        Assert.Contains("evaluation.threshold: applies to task binary only", e.Message);
    }
}
