using Nachos.Shared.Metrics;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Tests;

public sealed class DecisionRuleTests
{
    [Fact]
    public void Binary_and_multilabel_are_positive_from_exactly_one_half_and_multiclass_takes_the_lowest_of_tied_maxima()
    {
        Assert.Equal([1], DecisionRule.Predict(TaskKind.Binary, [0.5, 0.5]));
        Assert.Equal([0], DecisionRule.Predict(TaskKind.Binary, [0.5000001, 0.4999999]));
        Assert.Equal([1, 0, 1], DecisionRule.Predict(TaskKind.Multilabel, [0.5, 0.4999999, 1.0]));
        Assert.Equal([1], DecisionRule.Predict(TaskKind.Multiclass, [0.1, 0.45, 0.45]));
        Assert.Equal([0], DecisionRule.Predict(TaskKind.Multiclass, [1 / 3.0, 1 / 3.0, 1 / 3.0]));
        Assert.Equal("b", DecisionRule.PredictedNames(TaskKind.Multiclass, ["a", "b", "c"], [0.1, 0.45, 0.45]));
        Assert.Equal("a;c", DecisionRule.PredictedNames(TaskKind.Multilabel, ["a", "b", "c"], [0.5, 0.2, 0.9]));
        Assert.Equal("", DecisionRule.PredictedNames(TaskKind.Multilabel, ["a", "b"], [0.1, 0.2]));
        Assert.Equal("lesion", DecisionRule.PredictedNames(TaskKind.Binary, ["normal", "lesion"], [0.5, 0.5]));
    }

    [Fact]
    public void The_metrics_count_what_the_rule_predicts()
    {
        // One tie at 0.5 (positive), one just below: the confusion matrix follows the rule.
        var m = ClassificationMetrics.Compute(TaskKind.Binary, [[1], [0], [1]], [[0.5, 0.5], [0.5000001, 0.4999999], [0.1, 0.9]]);
        Assert.Equal([[1, 0], [0, 2]], m.Confusion[0]);
        var tied = ClassificationMetrics.Compute(TaskKind.Multiclass, [[1], [0]], [[0.1, 0.45, 0.45], [0.5, 0.5, 0.0]]);
        Assert.Equal(1.0, tied.Accuracy);
    }
}
