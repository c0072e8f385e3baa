using Nachos.Shared.Metrics;
using Nachos.Shared.Spec;

namespace Nachos.Shared.Tests;

/// <summary>
/// Every metric on 10^5 to 10^6 samples against scikit-learn 1.2.1. The expected values were computed once by
/// Reference/metrics_reference.py from the same inputs (the same LCG below); the test does not run Python.
/// </summary>
public sealed class MetricsReferenceTests
{
    private const int Precision = 12;

    /// <summary>32-bit LCG (Numerical Recipes constants), the high 24 bits of each state; reproducible in Python.</summary>
    private sealed class Lcg(uint seed)
    {
        private uint _state = seed;

        public uint Next()
        {
            _state = unchecked(_state * 1664525u + 1013904223u);
            return _state >> 8;
        }
    }

    private static (IReadOnlyList<IReadOnlyList<int>> Labels, IReadOnlyList<IReadOnlyList<double>> Probabilities) Binary(int n, uint seed)
    {
        var g = new Lcg(seed);
        var labels = new IReadOnlyList<int>[n];
        var probabilities = new IReadOnlyList<double>[n];
        for (var i = 0; i < n; i++)
        {
            var positive = g.Next() % 10 < 3;
            var (a, b) = (g.Next() % 1000, g.Next() % 700);
            var p = (a + (positive ? b : 0)) / 1700.0;
            labels[i] = [positive ? 1 : 0];
            probabilities[i] = [1 - p, p];
        }
        return (labels, probabilities);
    }

    private static (IReadOnlyList<IReadOnlyList<int>> Labels, IReadOnlyList<IReadOnlyList<double>> Probabilities) Multiclass(int n, int k, uint seed)
    {
        var g = new Lcg(seed);
        var labels = new IReadOnlyList<int>[n];
        var probabilities = new IReadOnlyList<double>[n];
        for (var i = 0; i < n; i++)
        {
            var label = (int)(g.Next() % (uint)k);
            var row = new double[k];
            for (var c = 0; c < k; c++)
            {
                var (a, b) = (g.Next() % 100, g.Next() % 60);
                row[c] = (a + (c == label ? b : 0)) / 160.0;
            }
            labels[i] = [label];
            probabilities[i] = row;
        }
        return (labels, probabilities);
    }

    private static (IReadOnlyList<IReadOnlyList<int>> Labels, IReadOnlyList<IReadOnlyList<double>> Probabilities) Multilabel(int n, int k, uint seed)
    {
        var g = new Lcg(seed);
        var labels = new IReadOnlyList<int>[n];
        var probabilities = new IReadOnlyList<double>[n];
        for (var i = 0; i < n; i++)
        {
            var y = new int[k];
            var row = new double[k];
            for (var c = 0; c < k; c++)
            {
                var positive = g.Next() % 10 < 3 + (uint)c;
                var (a, b) = (g.Next() % 1000, g.Next() % 500);
                y[c] = positive ? 1 : 0;
                row[c] = (a + (positive ? b : 0)) / 1500.0;
            }
            labels[i] = y;
            probabilities[i] = row;
        }
        return (labels, probabilities);
    }

    [Fact]
    public void Binary_metrics_on_a_million_samples_match_scikit_learn()
    {
        var (labels, probabilities) = Binary(1_000_000, 1);
        var m = ClassificationMetrics.Compute(TaskKind.Binary, labels, probabilities);
        Assert.Equal(0.7679983260248879, m.Auroc!.Value, Precision);
        Assert.Equal(0.744704, m.Accuracy, Precision);
        Assert.Equal(0.6741762488418481, m.BalancedAccuracy!.Value, Precision);
        Assert.Equal(0.5391452843335824, m.F1!.Value, Precision);
        Assert.Equal(0.4979476286858488, m.Sensitivity!.Value, Precision);
        Assert.Equal(0.8504048689978475, m.Specificity!.Value, Precision);
        var matrix = Assert.Single(m.Confusion);
        Assert.Equal([595371, 104732], matrix[0]);
        Assert.Equal([150564, 149333], matrix[1]);
    }

    [Fact]
    public void Multiclass_metrics_on_300000_samples_match_scikit_learn()
    {
        var (labels, probabilities) = Multiclass(300_000, 4, 2);
        var m = ClassificationMetrics.Compute(TaskKind.Multiclass, labels, probabilities);
        double[] perClass = [0.7360497732754028, 0.7372047086536833, 0.7330077701077032, 0.7346540882442323];
        for (var c = 0; c < 4; c++) Assert.Equal(perClass[c], m.AurocPerClass[c]!.Value, Precision);
        Assert.Equal(0.7352290850702554, m.Auroc!.Value, Precision);
        Assert.Equal(0.5371066666666666, m.Accuracy, Precision);
        Assert.Equal(0.5371067489108723, m.BalancedAccuracy!.Value, Precision);
        Assert.Equal(0.5370937084256566, m.F1!.Value, Precision);
        Assert.Equal(0.5371067489108723, m.Sensitivity!.Value, Precision);
        Assert.Equal(0.8457022379561487, m.Specificity!.Value, Precision);
        var matrix = Assert.Single(m.Confusion);
        Assert.Equal([40744, 11536, 11584, 11133], matrix[0]);
        Assert.Equal([11687, 40648, 11329, 11337], matrix[1]);
        Assert.Equal([11951, 11689, 40029, 11332], matrix[2]);
        Assert.Equal([11876, 11654, 11760, 39711], matrix[3]);
    }

    [Fact]
    public void Multilabel_metrics_on_200000_samples_match_scikit_learn()
    {
        var (labels, probabilities) = Multilabel(200_000, 3, 3);
        var m = ClassificationMetrics.Compute(TaskKind.Multilabel, labels, probabilities);
        double[] perLabel = [0.7079479678563869, 0.7071132572052253, 0.7082744529179277];
        for (var c = 0; c < 3; c++) Assert.Equal(perLabel[c], m.AurocPerClass[c]!.Value, Precision);
        Assert.Equal(0.7077785593265133, m.Auroc!.Value, Precision);
        // Accuracy is 1 − Hamming loss (mean per-label accuracy), not exact-match accuracy (0.273195 here).
        Assert.Equal(0.65003, m.Accuracy, Precision);
        Assert.Equal(0.6246504474700328, m.BalancedAccuracy!.Value, Precision);
        Assert.Equal(0.5275030799274044, m.F1!.Value, Precision);
        Assert.Equal(0.4981665106980561, m.Sensitivity!.Value, Precision);
        Assert.Equal(0.7511343842420096, m.Specificity!.Value, Precision);
        Assert.Equal(3, m.Confusion.Count);
        Assert.Equal([[105432, 34580], [30193, 29795]], m.Confusion[0]);
        Assert.Equal([[89932, 30054], [40085, 39929]], m.Confusion[1]);
        Assert.Equal([[74981, 24879], [50191, 49949]], m.Confusion[2]);
    }

    [Fact]
    public void Auroc_of_46341_positives_above_one_negative_is_one()
    {
        // 46,341 · 46,342 exceeds int.MaxValue: the rank correction must not be computed in 32-bit ints.
        var scores = Enumerable.Repeat(1.0, 46_341).Append(0.0).ToArray();
        var positive = Enumerable.Repeat(true, 46_341).Append(false).ToArray();
        Assert.Equal(1.0, Auroc.Compute(scores, positive));
    }

    [Fact]
    public void Auroc_of_100000_tied_scores_is_one_half()
    {
        var scores = Enumerable.Repeat(0.5, 100_000).ToArray();
        var positive = Enumerable.Range(0, 100_000).Select(i => i % 2 == 0).ToArray();
        Assert.Equal(0.5, Auroc.Compute(scores, positive));
    }

    [Fact]
    public void Metrics_of_a_large_set_with_one_class_only_are_undefined_where_they_need_the_other()
    {
        var n = 100_000;
        var labels = Enumerable.Range(0, n).Select(_ => (IReadOnlyList<int>)[1]).ToArray();
        var probabilities = Enumerable.Range(0, n).Select(i => (IReadOnlyList<double>)[1 - i / (double)n, i / (double)n]).ToArray();
        Assert.Null(Auroc.Compute(probabilities.Select(p => p[1]).ToArray(), labels.Select(_ => true).ToArray()));
        var m = ClassificationMetrics.Compute(TaskKind.Binary, labels, probabilities);
        Assert.Null(m.Auroc);
        Assert.Null(m.Specificity);
        Assert.Null(m.BalancedAccuracy);
        Assert.Equal(0.5, m.Sensitivity);
        Assert.Equal(0.5, m.Accuracy);
    }
}
