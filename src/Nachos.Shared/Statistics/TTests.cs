using MathNet.Numerics.Distributions;

namespace Nachos.Shared.Statistics;

/// <summary>A t statistic with its degrees of freedom, the mean difference and the standard error it was divided by.</summary>
public sealed record TTestResult(double T, double P, int DegreesOfFreedom, double MeanDifference, double StandardError);

/// <summary>
/// Paired t-test (scipy.stats.ttest_rel) and the Nadeau–Bengio corrected resampled t-test for comparing two models
/// over repeated train/test splits (Nadeau &amp; Bengio 2003; Bouckaert &amp; Frank 2004).
/// </summary>
public static class TTests
{
    /// <summary>Paired t-test of x − y: t = mean(d) / (sd(d)/√n), df = n − 1. Needs n ≥ 2 and differences that are not all equal.</summary>
    public static TTestResult Paired(IReadOnlyList<double> x, IReadOnlyList<double> y, Alternative alternative = Alternative.TwoSided)
    {
        SampleChecks.RequirePaired(x, y, 2, "paired t-test");
        var d = SampleChecks.Differences(x, y);
        var (mean, variance) = MeanAndVariance(d, "paired t-test");
        var se = Math.Sqrt(variance / d.Length);
        return Result(mean / se, d.Length - 1, mean, se, alternative);
    }

    /// <summary>
    /// Corrected resampled t-test on the per-split differences d_j (j = 1..J) of two models evaluated on the same J
    /// train/test splits: t = mean(d) / √((1/J + n_test/n_train) · var(d)), df = J − 1. The n_test/n_train term
    /// accounts for the overlap of training sets between splits, which makes the plain paired t-test too liberal.
    /// For k-fold cross-validation, n_test/n_train = 1/(k − 1).
    /// </summary>
    public static TTestResult CorrectedResampled(IReadOnlyList<double> differences, int trainCount, int testCount,
        Alternative alternative = Alternative.TwoSided)
    {
        SampleChecks.Require(differences, nameof(differences), 2, "corrected resampled t-test");
        if (trainCount < 1) throw new ArgumentException($"corrected resampled t-test: trainCount must be at least 1; got {trainCount}", nameof(trainCount));
        if (testCount < 1) throw new ArgumentException($"corrected resampled t-test: testCount must be at least 1; got {testCount}", nameof(testCount));
        return CorrectedResampled(differences, (double)testCount / trainCount, alternative);
    }

    /// <summary>
    /// The same with the ratio n_test/n_train given directly: splits of unequal sizes (k-fold of a count k does not
    /// divide) use the ratio of their total test to total training samples.
    /// </summary>
    public static TTestResult CorrectedResampled(IReadOnlyList<double> differences, double testTrainRatio, Alternative alternative = Alternative.TwoSided)
    {
        SampleChecks.Require(differences, nameof(differences), 2, "corrected resampled t-test");
        if (!(testTrainRatio > 0) || double.IsInfinity(testTrainRatio))
            throw new ArgumentException($"corrected resampled t-test: the test/train ratio must be a positive number; got {testTrainRatio}", nameof(testTrainRatio));
        var (mean, variance) = MeanAndVariance(differences, "corrected resampled t-test");
        var j = differences.Count;
        var se = Math.Sqrt((1.0 / j + testTrainRatio) * variance);
        return Result(mean / se, j - 1, mean, se, alternative);
    }

    private static (double Mean, double Variance) MeanAndVariance(IReadOnlyList<double> d, string test)
    {
        var mean = d.Average();
        double ss = 0;
        foreach (var v in d) ss += (v - mean) * (v - mean);
        if (ss == 0)
            throw new ArgumentException($"{test}: all differences equal {mean}; the t statistic is undefined (zero variance)");
        return (mean, ss / (d.Count - 1));
    }

    private static TTestResult Result(double t, int df, double mean, double se, Alternative alternative)
    {
        var p = alternative switch
        {
            Alternative.Less => StudentT.CDF(0, 1, df, t),
            Alternative.Greater => StudentT.CDF(0, 1, df, -t),
            _ => 2 * StudentT.CDF(0, 1, df, -Math.Abs(t)),
        };
        return new TTestResult(t, p, df, mean, se);
    }
}
