using Nachos.Shared.Statistics;

namespace Nachos.Shared.Tests;

/// <summary>
/// The statistical tests against values computed beforehand by Reference/statistical_tests.py (SciPy 1.10.1, NumPy,
/// scikit-learn on Debian 12; McNemar, Holm and DeLong as written there after statsmodels and Sun &amp; Xu 2014).
/// Exact methods agree to 1e-9 (relative for small p-values); Shapiro–Wilk to SciPy's single-precision Fortran.
/// </summary>
public sealed class StatisticalTestsTests
{
    private static readonly double[] X12 = [0.8177, 0.8371, 0.7782, 0.7631, 0.7515, 0.7725, 0.8142, 0.8197, 0.7871, 0.7993, 0.7994, 0.809];
    private static readonly double[] Y12 = [0.7737, 0.8622, 0.7722, 0.7682, 0.7682, 0.7849, 0.7898, 0.794, 0.7889, 0.7445, 0.771, 0.7996];
    private static readonly double[] Tie = [0.81, 0.79, 0.8, 0.83, 0.8, 0.78, 0.82, 0.8, 0.79, 0.81, 0.84, 0.8];
    private static readonly double[] Tie2 = [0.8, 0.8, 0.79, 0.81, 0.79, 0.78, 0.8, 0.8, 0.78, 0.8, 0.82, 0.81];
    private static readonly double[] Big60 = [-0.678, 1.211, -2.494, -1.035, -0.404, -1.361, -0.197, 1.234, 0.583, 0.01, 0.209, -2.354, 1.251, 1.116, -1.442, -1.531, 1.697, -0.697, -0.037, 0.423, 0.55, 0.337, 0.385, -0.961, 1.726, -1.28, 0.357, 0.708, -0.893, 0.376, -1.503, -1.032, 1.661, 0.44, -1.401, 0.448, -0.405, -1.264, -1.785, 0.618, 1.17, 0.477, 0.067, 1.375, -0.347, 0.157, -0.282, -1.345, -0.587, -1.514, -0.834, 0.639, -0.225, -2.012, -0.731, 0.555, -0.908, 0.516, 2.293, -0.304];
    private static readonly double[] Big60b = [-0.278, 1.686, -2.734, -0.577, -0.695, -2.501, 0.023, 1.878, 0.783, 0.31, 0.511, -3.126, 0.546, 1.151, -2.32, -1.11, 1.202, -0.337, 0.731, 0.381, 1.401, 1.295, 1.345, -0.758, 3.161, -1.033, 0.554, 0.465, -0.496, -0.067, -0.97, -1.569, 1.411, 0.183, -1.379, 0.576, 0.243, -0.583, -1.708, 1.033, 1.796, 0.819, -0.283, 1.587, -0.435, -0.615, -0.042, -0.777, -0.053, -0.586, -0.97, 1.361, 0.238, -0.758, -0.752, 0.424, -1.158, 0.511, 2.632, 0.617];
    private static readonly double[] MwA = [0.71, 0.64, 0.8, 0.77, 0.69, 0.73];
    private static readonly double[] MwB = [0.66, 0.62, 0.7, 0.59, 0.68, 0.61, 0.63, 0.65, 0.72];

    /// <summary>The script's lcg(): ((i · mult) mod m)/m · scale + offset, bit for bit.</summary>
    private static double[] Lcg(int n, long mult, long mod, double scale = 1.0, double offset = 0.0) =>
        Enumerable.Range(0, n).Select(i => (double)(i * mult % mod) / mod * scale + offset).ToArray();

    private static void Near(double expected, double actual, double tolerance = 1e-9) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Max(1, Math.Abs(expected)),
            $"expected {expected:R}, got {actual:R} (tolerance {tolerance})");

    /// <summary>Relative agreement, for p-values far below 1.</summary>
    private static void Relative(double expected, double actual, double tolerance = 1e-9) =>
        Assert.True(Math.Abs(expected - actual) <= tolerance * Math.Abs(expected), $"expected {expected:R}, got {actual:R} (relative {tolerance})");

    // ---- paired t, Nadeau–Bengio

    [Theory]
    [InlineData(Alternative.TwoSided, 0.1540523482438356)]
    [InlineData(Alternative.Less, 0.9229738258780822)]
    [InlineData(Alternative.Greater, 0.0770261741219178)]
    public void Paired_t_equals_scipy_ttest_rel(Alternative alternative, double p)
    {
        var r = TTests.Paired(X12, Y12, alternative);
        Near(1.530815220273197, r.T);
        Near(p, r.P);
        Assert.Equal(11, r.DegreesOfFreedom);
        Near(0.010966666666666652, r.MeanDifference);
    }

    private static readonly double[] NbD = [-0.00806, 0.0249, 0.00616, 0.03601, -0.00611, 0.01892, 0.00529, 0.0065, 0.01331, -0.01578];

    [Theory]
    [InlineData(900, 100, 1.1161520237957485, 0.293269369396499, 0.8533653153017505)]
    [InlineData(500, 500, 0.48897038253084324, 0.6365573264340691, 0.6817213367829655)]
    public void Corrected_resampled_t_equals_the_numpy_formula(int train, int test, double t, double p, double pLess)
    {
        var r = TTests.CorrectedResampled(NbD, train, test);
        Near(t, r.T);
        Near(p, r.P);
        Assert.Equal(9, r.DegreesOfFreedom);
        Near(pLess, TTests.CorrectedResampled(NbD, train, test, Alternative.Less).P);
        // The ratio given directly (splits of unequal sizes) is the same test.
        Near(p, TTests.CorrectedResampled(NbD, (double)test / train).P);
        // The correction only widens: the plain paired t on the same differences is larger.
        Assert.True(TTests.Paired(NbD, new double[NbD.Length]).T > r.T);
    }

    [Fact]
    public void T_tests_reject_too_few_values_zero_variance_and_NaN()
    {
        Assert.Contains("at least 2", Assert.Throws<ArgumentException>(() => TTests.Paired([1.0], [2.0])).Message);
        Assert.Contains("zero variance", Assert.Throws<ArgumentException>(() => TTests.Paired([1.0, 2.0, 3.0], [0.5, 1.5, 2.5])).Message);
        Assert.Contains("y[1] is NaN", Assert.Throws<ArgumentException>(() => TTests.Paired([1.0, 2.0], [1.0, double.NaN])).Message);
        Assert.Contains("equal length", Assert.Throws<ArgumentException>(() => TTests.Paired([1.0, 2.0], [1.0, 2.0, 3.0])).Message);
        Assert.Contains("trainCount", Assert.Throws<ArgumentException>(() => TTests.CorrectedResampled(NbD, 0, 10)).Message);
        Assert.Contains("ratio", Assert.Throws<ArgumentException>(() => TTests.CorrectedResampled(NbD, 0.0)).Message);
    }

    // ---- Wilcoxon signed-rank

    [Theory]
    [InlineData(Alternative.TwoSided, 22.0, 0.20361328125)]
    [InlineData(Alternative.Less, 56.0, 0.911865234375)]
    [InlineData(Alternative.Greater, 56.0, 0.101806640625)]
    public void Wilcoxon_exact_equals_scipy_without_ties_or_zeros(Alternative alternative, double statistic, double p)
    {
        var r = WilcoxonSignedRank.Test(X12, Y12, alternative);
        Assert.True(r.Exact);
        Assert.Equal(statistic, r.Statistic);
        Near(p, r.P, 1e-12);
    }

    [Fact]
    public void Wilcoxon_exact_at_the_n_50_boundary_and_on_differences()
    {
        var r = WilcoxonSignedRank.Test([0.5, -1.25, 2.0, 3.5, -0.75, 4.25, 1.5, 5.0, 2.75, -0.25]);
        Assert.Equal(8.0, r.Statistic);
        Near(0.048828125, r.P, 1e-12);
        var all = WilcoxonSignedRank.Test(Enumerable.Range(1, 50).Select(i => (double)i).ToArray());
        Assert.True(all.Exact);
        Assert.Equal(0.0, all.Statistic);
        Relative(1.7763568394002505e-15, all.P, 1e-9);
    }

    [Theory]
    [InlineData("ties", Alternative.TwoSided, 8.0, 0.04415850244647302, -2.012583137063029, 10)]
    [InlineData("ties", Alternative.Less, 47.0, 0.9829339898560927, 2.1185085653295044, 10)]
    [InlineData("ties", Alternative.Greater, 47.0, 0.02207925122323651, 2.012583137063029, 10)]
    [InlineData("big60", Alternative.TwoSided, 554.0, 0.007957733478650713, -2.6538578820863568, 60)]
    [InlineData("big60", Alternative.Less, 554.0, 0.003978866739325356, -2.6538578820863568, 60)]
    [InlineData("big60", Alternative.Greater, 554.0, 0.9961070906943048, -2.661219485087983, 60)]
    public void Wilcoxon_normal_approximation_equals_scipy_with_tie_and_continuity_correction(string data, Alternative alternative,
        double statistic, double p, double z, int count)
    {
        var (x, y) = data == "ties" ? (Tie, Tie2) : (Big60, Big60b);
        var r = WilcoxonSignedRank.Test(x, y, alternative);
        Assert.False(r.Exact);
        Assert.Equal(count, r.Count);
        Assert.Equal(x.Length - count, r.ZeroCount);
        Assert.Equal(statistic, r.Statistic);
        Near(p, r.P);
        Near(z, r.Z!.Value);
    }

    [Fact]
    public void Wilcoxon_with_tied_absolute_differences_and_n_under_50_uses_the_approximation()
    {
        // SciPy 1.10's auto keeps the exact branch here with W+ truncated to an integer (p = 0.064453125); we take
        // method='approx' as documented.
        var r = WilcoxonSignedRank.Test([1.0, 1.0, 2.0, -3.0, 4.0, 5.0, -2.0, 6.0, 7.0, 8.0]);
        Assert.False(r.Exact);
        Assert.Equal(8.5, r.Statistic);
        Near(0.059006038370505276, r.P);
        Near(-1.8881483433953665, r.Z!.Value);
    }

    [Fact]
    public void Wilcoxon_drops_zeros_and_then_uses_the_approximation_and_rejects_all_zero()
    {
        var r = WilcoxonSignedRank.Test([1.0, 0.0, 2.0, -3.0, 0.0, 4.0]);
        Assert.False(r.Exact);
        Assert.Equal(3.0, r.Statistic);
        Near(0.5838824207703652, r.P);
        Assert.Contains("all 3 differences are zero", Assert.Throws<ArgumentException>(() => WilcoxonSignedRank.Test([0.0, 0.0, 0.0])).Message);
        Assert.Contains("differences[1] is NaN", Assert.Throws<ArgumentException>(() => WilcoxonSignedRank.Test([1.0, double.NaN])).Message);
        Assert.Contains("at least 1", Assert.Throws<ArgumentException>(() => WilcoxonSignedRank.Test(Array.Empty<double>())).Message);
    }

    // ---- Mann–Whitney U

    [Theory]
    [InlineData(Alternative.TwoSided, 0.025574425574425574)]
    [InlineData(Alternative.Less, 0.9912087912087914)]
    [InlineData(Alternative.Greater, 0.012787212787212787)]
    public void Mann_Whitney_exact_equals_scipy(Alternative alternative, double p)
    {
        var r = MannWhitneyU.Test(MwA, MwB, alternative);
        Assert.True(r.Exact);
        Assert.Equal(46.0, r.U);
        Near(p, r.P, 1e-12);
        Near(0.2, MannWhitneyU.Test([1.0, 2.0, 3.0], [4.0, 5.0]).P, 1e-12);
    }

    [Fact]
    public void Mann_Whitney_exact_with_8_against_300_equals_scipy()
    {
        var r = MannWhitneyU.Test(Lcg(40, 37, 101)[..8], Lcg(300, 53, 307, 1.0, 0.05));
        Assert.True(r.Exact);
        Assert.Equal(880.0, r.U);
        Near(0.20273931881826074, r.P);
    }

    [Theory]
    [InlineData(Alternative.TwoSided, 0.3399154486870385)]
    [InlineData(Alternative.Less, 0.8447033986057091)]
    [InlineData(Alternative.Greater, 0.16995772434351925)]
    public void Mann_Whitney_with_ties_uses_the_corrected_normal_approximation(Alternative alternative, double p)
    {
        var r = MannWhitneyU.Test(Tie, Tie2, alternative);
        Assert.False(r.Exact);
        Assert.Equal(88.5, r.U);
        Near(p, r.P);
        var big = MannWhitneyU.Test(Big60, Big60b);
        Assert.Equal(1616.0, big.U);
        Near(0.33548216862894953, big.P);
    }

    [Fact]
    public void Mann_Whitney_on_two_samples_of_100000_does_not_overflow()
    {
        var r = MannWhitneyU.Test(Lcg(100000, 7919, 100003), Lcg(100000, 104729, 99991, 1.0, 0.004));
        Assert.Equal(4960256834.0, r.U);
        Near(0.0020805623672452973, r.P, 1e-8);
        var tied = MannWhitneyU.Test(Lcg(100000, 7919, 100003).Select(v => Math.Floor(v * 20) / 20).ToArray(),
            Lcg(100000, 104729, 99991, 1.0, 0.004).Select(v => Math.Floor(v * 20) / 20).ToArray());
        Assert.Equal(4961182703.5, tied.U);
        Near(0.0026080837995170786, tied.P, 1e-8);
    }

    [Fact]
    public void Mann_Whitney_rejects_empty_and_NaN()
    {
        Assert.Contains("at least 1 values in y", Assert.Throws<ArgumentException>(() => MannWhitneyU.Test([1.0], [])).Message);
        Assert.Contains("x[0] is NaN", Assert.Throws<ArgumentException>(() => MannWhitneyU.Test([double.NaN], [1.0])).Message);
    }

    // ---- Kolmogorov–Smirnov

    [Theory]
    [InlineData("6v9", 0.6111111111111112, 0.09470529470529471)]
    [InlineData("12v12 ties", 0.16666666666666666, 0.9984852944874484)]
    [InlineData("60v60", 0.11666666666666667, 0.8132812991497796)]
    [InlineData("12v60", 0.8333333333333334, 1.1281064426020865e-07)]
    [InlineData("8v300", 0.23333333333333334, 0.7103251082558156)]
    [InlineData("40v300", 0.08333333333333333, 0.9512755911299957)]
    public void Kolmogorov_Smirnov_exact_equals_scipy_ks_2samp(string data, double d, double p)
    {
        var (x, y) = data switch
        {
            "6v9" => (MwA, MwB),
            "12v12 ties" => (Tie, Tie2),
            "60v60" => (Big60, Big60b),
            "12v60" => (X12, Big60),
            "8v300" => (Lcg(40, 37, 101)[..8], Lcg(300, 53, 307, 1.0, 0.05)),
            _ => (Lcg(40, 37, 101), Lcg(300, 53, 307, 1.0, 0.05)),
        };
        var r = KolmogorovSmirnov.TwoSample(x, y);
        Assert.True(r.Exact);
        Near(d, r.D, 1e-12);
        Relative(p, r.P);
    }

    [Theory]
    [InlineData(0.3, 0.9999906941986655)]
    [InlineData(0.8, 0.5441424115741981)]
    [InlineData(1.0, 0.26999967167735456)]
    [InlineData(1.36, 0.049485876755377876)]
    [InlineData(2.5, 7.453306344157342e-06)]
    public void Kolmogorov_survival_equals_scipy_kstwobign(double lambda, double p) =>
        Relative(p, KolmogorovSmirnov.KolmogorovSurvival(lambda), 1e-12);

    [Fact]
    public void Kolmogorov_Smirnov_above_10000_uses_the_limiting_distribution()
    {
        // SciPy's ks_2samp gives 0.1661469628053588 and 0.39631978335488527 (finite-n one-sample distribution at
        // n = round(n₁n₂/(n₁+n₂))); the limiting distribution differs from them by 0.7 % and 0.3 %.
        var r = KolmogorovSmirnov.TwoSample(Lcg(20000, 7919, 100003), Lcg(30000, 104729, 99991, 1.0, 0.01));
        Assert.False(r.Exact);
        Near(0.010166666666666668, r.D, 1e-12);
        Relative(0.16727673080041192, r.P, 1e-12);
        Relative(0.1661469628053588, r.P, 0.01);
        var big = KolmogorovSmirnov.TwoSample(Lcg(100000, 7919, 100003), Lcg(100000, 104729, 99991, 1.0, 0.004));
        Near(0.004010000000000069, big.D, 1e-12);
        Relative(0.3973542806103362, big.P, 1e-12);
        Relative(0.39631978335488527, big.P, 0.005);
    }

    // ---- Shapiro–Wilk

    private static readonly double[] Exp30 = [0.0197, 0.7834, 0.4972, 0.3292, 0.0836, 2.1302, 0.2722, 0.0859, 1.173, 0.0543, 0.6499, 0.1123, 0.2697, 0.8072, 0.2757, 0.6716, 0.8085, 2.6884, 1.3284, 2.6485, 2.0972, 0.0674, 0.4141, 0.5159, 0.0254, 0.0042, 0.158, 1.3603, 1.309, 0.6666];

    /// <summary>
    /// SciPy runs AS R94 in single precision (swilk.f, REAL) and returns float32 W and p; this runs it in double with
    /// MathNet's normal quantiles, so W agrees to 1e-6 and p to 1e-4 relative. At n = 5000, p ≈ 1e-36 lies 12.5 SDs
    /// out, where SciPy's float32 1 − W moves p by 2.2e-4 relative; that case is held to 5e-4.
    /// </summary>
    [Theory]
    [InlineData("n3", 0.9642857313156128, 0.6368856430053711, 1e-4)]
    [InlineData("n5", 0.8032968640327454, 0.08618258684873581, 1e-4)]
    [InlineData("x12", 0.9733513593673706, 0.9425491094589233, 1e-4)]
    [InlineData("big60", 0.984678328037262, 0.6533024907112122, 1e-4)]
    [InlineData("exp30", 0.829460620880127, 0.0002371612354181707, 1e-4)]
    [InlineData("ties", 0.942465603351593, 0.5306589603424072, 1e-4)]
    [InlineData("uniform5000", 0.9548867344856262, 9.279682726191381e-37, 5e-4)]
    public void Shapiro_Wilk_equals_scipy_to_its_single_precision(string data, double w, double p, double pTolerance)
    {
        double[] values = data switch
        {
            "n3" => [1.0, 2.0, 4.0],
            "n5" => [2.1, 3.4, 1.9, 5.6, 2.2],
            "x12" => X12,
            "big60" => Big60,
            "exp30" => Exp30,
            "ties" => Tie,
            _ => Lcg(5000, 7919, 10007),
        };
        var r = ShapiroWilk.Test(values);
        Near(w, r.W, 1e-6);
        Relative(p, r.P, pTolerance);
    }

    [Fact]
    public void Shapiro_Wilk_rejects_fewer_than_3_more_than_5000_and_constant_data()
    {
        Assert.Contains("at least 3", Assert.Throws<ArgumentException>(() => ShapiroWilk.Test([1.0, 2.0])).Message);
        Assert.Contains("at most 5000", Assert.Throws<ArgumentException>(() => ShapiroWilk.Test(Lcg(5001, 7919, 10007))).Message);
        Assert.Contains("all 4 values are equal", Assert.Throws<ArgumentException>(() => ShapiroWilk.Test([2.0, 2.0, 2.0, 2.0])).Message);
    }

    // ---- Friedman, Nemenyi

    private static readonly double[][] F =
    [
        [0.79, 0.78, 0.76, 0.81], [0.78, 0.81, 0.8, 0.79], [0.79, 0.82, 0.81, 0.82], [0.78, 0.83, 0.78, 0.82],
        [0.79, 0.84, 0.79, 0.85], [0.83, 0.82, 0.74, 0.86], [0.8, 0.79, 0.76, 0.8], [0.79, 0.79, 0.78, 0.82],
    ];

    [Fact]
    public void Friedman_equals_scipy_with_ties_and_ranks_the_best_first()
    {
        var r = Friedman.Test(F);
        Near(11.679999999999987, r.ChiSquare);
        Near(0.00856373712209265, r.P);
        Assert.Equal(3, r.DegreesOfFreedom);
        Assert.Equal([2.875, 2.125, 3.5, 1.5], r.AverageRanks);
        Assert.Equal([2.125, 2.875, 1.5, 3.5], Friedman.Test(F, higherIsBetter: false).AverageRanks);
        // CD at α = 0.05 for k = 4, N = 8: 2.569032 · √(20/48) = 1.6583; only methods 2 and 3 (ranks 3.5 and 1.5) differ.
        Near(2.569032 * Math.Sqrt(20.0 / 48), Nemenyi.CriticalDifference(4, 8), 1e-12);
        Assert.Equal([(2, 3)], Nemenyi.SignificantPairs(r));
    }

    [Fact]
    public void Nemenyi_q_matches_Demsar_table_to_three_decimals()
    {
        double[] demsar05 = [1.960, 2.343, 2.569, 2.728, 2.850, 2.949, 3.031, 3.102, 3.164];
        double[] demsar10 = [1.645, 2.052, 2.291, 2.459, 2.589, 2.693, 2.780, 2.855, 2.920];
        for (var k = 2; k <= 10; k++)
        {
            Assert.InRange(Nemenyi.Q(k, 0.05) - demsar05[k - 2], -0.0011, 0.0011);
            Assert.InRange(Nemenyi.Q(k, 0.10) - demsar10[k - 2], -0.0011, 0.0011);
        }
        Assert.Contains("2 to 10", Assert.Throws<ArgumentException>(() => Nemenyi.Q(11, 0.05)).Message);
        Assert.Contains("0.05 and 0.10", Assert.Throws<ArgumentException>(() => Nemenyi.Q(4, 0.01)).Message);
    }

    [Fact]
    public void Friedman_rejects_too_few_methods_or_blocks_ragged_rows_and_all_ties()
    {
        Assert.Contains("at least 3 methods", Assert.Throws<ArgumentException>(() => Friedman.Test([[1.0, 2.0], [2.0, 1.0]])).Message);
        Assert.Contains("at least 2 blocks", Assert.Throws<ArgumentException>(() => Friedman.Test([[1.0, 2.0, 3.0]])).Message);
        Assert.Contains("block 1 holds 2", Assert.Throws<ArgumentException>(() => Friedman.Test([[1.0, 2.0, 3.0], [1.0, 2.0]])).Message);
        Assert.Contains("every block ties", Assert.Throws<ArgumentException>(() => Friedman.Test([[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]])).Message);
        Assert.Contains("scores[1][2] is NaN", Assert.Throws<ArgumentException>(() => Friedman.Test([[1.0, 2.0, 3.0], [1.0, 2.0, double.NaN]])).Message);
    }

    // ---- DeLong

    private static readonly bool[] DlY = [false, false, true, false, false, false, false, true, true, true, false, true, false, false, true, false, false, true, false, false, false, false, false, false, true, false, true, true, false, true, false, false, true, false, false, false, false, false, true, true];
    private static readonly double[] DlS1 = [0.3, -0.2, 0.9, -0.8, 0.5, -0.7, -0.4, -0.2, 0.4, 1.8, -0.5, 1.4, 0.1, 0.4, 1.5, -0.3, -0.2, 0.8, 1.1, -0.9, 0.6, -0.6, 0.8, -0.1, 1.2, -0.3, 1.2, 1.9, 0.6, 0.7, -0.4, -0.1, 0.0, -0.3, 0.5, -0.4, 0.7, 0.3, 0.2, 0.3];
    private static readonly double[] DlS2 = [-0.7, 0.6, 0.3, -0.1, -0.1, 0.1, 1.3, 0.4, 0.1, -0.1, -0.6, 0.5, -0.0, -0.1, -0.2, -0.1, 0.2, 0.9, 0.0, 0.3, 1.0, -0.5, 0.0, 1.1, 1.1, -0.3, 1.0, -0.1, 0.4, 0.8, -0.2, 1.3, 1.1, 1.3, 0.7, -0.4, -0.4, 0.6, 1.7, 0.2];

    [Fact]
    public void DeLong_equals_the_numpy_fast_algorithm_with_tied_scores()
    {
        var r = DeLong.Test(DlS1, DlS2, DlY);
        Near(0.8447802197802198, r.Auroc1, 1e-12);
        Near(0.6620879120879121, r.Auroc2, 1e-12);
        Near(r.Auroc1, Metrics.Auroc.Compute(DlS1, DlY)!.Value, 1e-12);
        Relative(0.004023726695958311, r.Variance1);
        Relative(0.00766594985741224, r.Variance2);
        Relative(-0.0011597215126378272, r.Covariance);
        Near(1.5435291670928077, r.Z);
        Near(0.12270243628698277, r.P);
    }

    [Fact]
    public void DeLong_on_100000_cases()
    {
        var y = Lcg(100000, 7919, 100003).Select(v => v < 0.3).ToArray();
        var a = Lcg(100000, 104729, 99991).Select((v, i) => v + 0.3 * (y[i] ? 1 : 0)).ToArray();
        var b = Lcg(100000, 15485863, 99989).Select((v, i) => Math.Floor((v + 0.2 * (y[i] ? 1 : 0)) * 100) / 100).ToArray();
        var r = DeLong.Test(a, b, y);
        Near(0.7550520365112341, r.Auroc1, 1e-12);
        Near(0.6800125965124534, r.Auroc2, 1e-12);
        Relative(2.585384651024763e-06, r.Variance1, 1e-8);
        Relative(3.250562675925827e-06, r.Variance2, 1e-8);
        Relative(-1.5567361377802492e-09, r.Covariance, 1e-6);
        Relative(31.054038397675093, r.Z, 1e-8);
        Relative(1.0062692863745384e-211, r.P, 1e-6);
    }

    [Fact]
    public void DeLong_rejects_one_class_mismatched_lengths_and_identical_rankings()
    {
        Assert.Contains("at least 2 positives and 2 negatives", Assert.Throws<ArgumentException>(() =>
            DeLong.Test([0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1], [true, false, false, false])).Message);
        Assert.Contains("differ in length", Assert.Throws<ArgumentException>(() =>
            DeLong.Test([0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2], [true, true, false, false])).Message);
        Assert.Contains("rank the cases identically", Assert.Throws<ArgumentException>(() =>
            DeLong.Test([0.1, 0.2, 0.3, 0.4, 0.5], [1.0, 2.0, 3.0, 4.0, 5.0], [false, true, false, true, true])).Message);
    }

    // ---- McNemar, Holm

    [Theory]
    [InlineData(3, 11, 0.057373046875, 3.5, 0.0613688291394023)]
    [InlineData(0, 5, 0.0625, 3.2, 0.07363827012030258)]
    [InlineData(7, 7, 1.0, 0.07142857142857142, 0.7892680261342813)]
    [InlineData(10, 20, 0.09873714670538905, 2.7, 0.10034824646229054)]
    [InlineData(30, 12, 0.007915897334896727, 6.880952380952381, 0.008711912962379598)]
    public void McNemar_exact_and_chi_square_equal_the_statsmodels_definitions(int b, int c, double exactP, double chi, double chiP)
    {
        var exact = McNemar.Test(b, c, McNemarMethod.Exact);
        Assert.Equal(Math.Min(b, c), exact.Statistic);
        Near(exactP, exact.P);
        var chiSquare = McNemar.Test(b, c, McNemarMethod.ChiSquare);
        Near(chi, chiSquare.Statistic, 1e-12);
        Near(chiP, chiSquare.P);
        Assert.Equal(b + c < 25, McNemar.Test(b, c).Exact);
    }

    [Fact]
    public void McNemar_from_paired_correctness_counts_the_discordant_cases()
    {
        bool[] first = [true, true, false, true, false, true, true, false];
        bool[] second = [true, false, true, false, false, false, true, false];
        var r = McNemar.Test(first, second);
        Assert.Equal((3, 1), (r.Discordant01, r.Discordant10));
        Near(0.625, r.P, 1e-12);
        Assert.Equal(1.0, McNemar.Test(0, 0).P);
        Assert.Contains("at least one discordant", Assert.Throws<ArgumentException>(() => McNemar.Test(0, 0, McNemarMethod.ChiSquare)).Message);
    }

    [Theory]
    [InlineData(new[] { 0.01, 0.04, 0.03, 0.005 }, new[] { 0.03, 0.06, 0.06, 0.02 })]
    [InlineData(new[] { 0.2, 0.5, 0.01, 0.04, 0.03 }, new[] { 0.4, 0.5, 0.05, 0.12, 0.12 })]
    [InlineData(new[] { 0.5, 0.6, 0.7 }, new[] { 1.0, 1.0, 1.0 })]
    public void Holm_equals_multipletests(double[] p, double[] adjusted)
    {
        var r = Holm.Adjust(p);
        for (var i = 0; i < p.Length; i++) Near(adjusted[i], r[i], 1e-15);
        Assert.Equal(adjusted.Select(a => a <= 0.05), Holm.Reject(p));
    }

    [Fact]
    public void Holm_rejects_values_that_are_not_probabilities()
    {
        Assert.Contains("pValues[1] = 1.5", Assert.Throws<ArgumentException>(() => Holm.Adjust([0.1, 1.5])).Message);
        Assert.Contains("pValues[0] is NaN", Assert.Throws<ArgumentException>(() => Holm.Adjust([double.NaN])).Message);
    }
}
