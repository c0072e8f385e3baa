using Nachos.Shared.Metrics;

namespace Nachos.Shared.Tests;

/// <summary>
/// Brier score and reliability bins against scikit-learn 1.2.1's <c>brier_score_loss</c> and
/// <c>calibration_curve(n_bins=10, strategy="uniform")</c> (values computed beforehand with /usr/bin/python3 and written in),
/// on 40 predictions some of which sit exactly on bin edges (0, 0.1, 0.2, 0.3, 0.5, 1).
/// </summary>
public sealed class CalibrationTests
{
    private static readonly double[] P =
    [
        0.0, 0.1, 0.3, 0.5, 1.0, 0.2, 0.005, 0.821, 0.797, 0.468, 0.303, 0.278, 0.255, 0.445, 0.505, 0.553, 0.996, 0.793, 0.622, 0.989,
        0.215, 0.16, 0.613, 0.044, 0.036, 0.515, 0.466, 0.917, 0.629, 0.514, 0.497, 0.248, 0.012, 0.192, 0.692, 0.201, 0.37, 0.004, 0.83, 0.154,
    ];
    private static readonly int[] Y =
        [0, 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 1, 1];

    [Fact]
    public void Brier_score_and_bins_match_scikit_learn()
    {
        var c = Calibration.Compute(Y.Select(y => y == 1).ToList(), P);

        Assert.Equal(40, c.Count);
        Assert.Equal(0.13903492499999998, c.Brier!.Value, 1e-15);
        Assert.Equal([7, 4, 6, 2, 5, 4, 4, 2, 2, 4], c.Bins.Select(b => b.Count));
        double[] observed = [0.0, 0.25, 0.16666666666666666, 0.0, 0.4, 1.0, 0.25, 1.0, 1.0, 1.0];
        double[] predicted = [0.02871428571428572, 0.17650000000000002, 0.24950000000000003, 0.3365, 0.47519999999999996, 0.5217499999999999, 0.639, 0.795, 0.8254999999999999, 0.9755];
        for (var b = 0; b < 10; b++)
        {
            Assert.Equal(observed[b], c.Bins[b].ObservedFrequency!.Value, 1e-12);
            Assert.Equal(predicted[b], c.Bins[b].MeanPredicted!.Value, 1e-12);
        }
        Assert.Equal((0.0, 0.1), (c.Bins[0].Low, c.Bins[0].High));
        Assert.Equal(1.0, c.Bins[9].High);
    }

    [Fact]
    public void Empty_bins_and_an_empty_set_have_no_means()
    {
        var c = Calibration.Compute([true, false], [0.95, 0.05]);
        Assert.Equal([1, 0, 0, 0, 0, 0, 0, 0, 0, 1], c.Bins.Select(b => b.Count));
        Assert.Null(c.Bins[4].MeanPredicted);
        Assert.Null(c.Bins[4].ObservedFrequency);
        Assert.Equal(0.0025, c.Brier!.Value, 1e-15);
        var empty = Calibration.Compute([], []);
        Assert.Null(empty.Brier);
        Assert.All(empty.Bins, b => Assert.Equal(0, b.Count));
    }
}
