namespace Nachos.Shared.Metrics;

/// <summary>One bin of a reliability diagram: its probability range, how many predictions fall in it, their mean
/// predicted probability and the observed frequency of the positive class among them (null when the bin is empty).</summary>
public sealed record ReliabilityBin(double Low, double High, int Count, double? MeanPredicted, double? ObservedFrequency);

/// <summary>How well a binary model's probabilities are calibrated on a set: its Brier score and reliability diagram.</summary>
public sealed record Calibration(int Count, double? Brier, IReadOnlyList<ReliabilityBin> Bins)
{
    public const int DefaultBins = 10;

    /// <summary>
    /// The Brier score, mean (p − y)², and <paramref name="bins"/> equal-width bins over [0, 1] as scikit-learn's
    /// <c>calibration_curve(strategy="uniform")</c> makes them: the first bin is [0, 1/n], each other (low, high].
    /// </summary>
    public static Calibration Compute(IReadOnlyList<bool> truth, IReadOnlyList<double> scores, int bins = DefaultBins)
    {
        if (truth.Count != scores.Count) throw new ArgumentException("truth and scores differ in length");
        // NumPy's linspace(0, 1, n + 1): edge i is i·(1/n), the last exactly 1.
        var edges = Enumerable.Range(0, bins + 1).Select(i => i == bins ? 1.0 : i * (1.0 / bins)).ToArray();
        var count = new int[bins];
        var sumP = new double[bins];
        var sumY = new double[bins];
        double squares = 0;
        for (var i = 0; i < scores.Count; i++)
        {
            var p = scores[i];
            var y = truth[i] ? 1.0 : 0.0;
            squares += (p - y) * (p - y);
            // searchsorted(edges[1:-1], p, side="left"): the inner edges strictly below p.
            var b = 0;
            while (b < bins - 1 && edges[b + 1] < p) b++;
            count[b]++;
            sumP[b] += p;
            sumY[b] += y;
        }
        var diagram = Enumerable.Range(0, bins).Select(b => new ReliabilityBin(edges[b], edges[b + 1], count[b],
            count[b] == 0 ? null : sumP[b] / count[b], count[b] == 0 ? null : sumY[b] / count[b])).ToList();
        return new Calibration(scores.Count, scores.Count == 0 ? null : squares / scores.Count, diagram);
    }
}
