using Nachos.Shared.Study;

namespace Nachos.Shared.Tests;

public sealed class StudyStatisticsTests
{
    // Two-sided 95 % Student t quantiles t(0.975, df), from tables.
    private const double T975Df1 = 12.706204736174698;
    private const double T975Df3 = 3.182446305284263;

    [Fact]
    public void Summarise_one_to_four_matches_the_hand_computation()
    {
        var s = Intervals.Summarise([1.0, 2.0, 3.0, 4.0]);

        // Deviations from 2.5: ±1.5, ±0.5 → sum of squares 5, variance 5/3 (n − 1 = 3).
        var sd = Math.Sqrt(5.0 / 3.0);
        var se = sd / 2; // sqrt(4) = 2
        Assert.Equal(4, s.Count);
        Assert.Equal(2.5, s.Mean, 12);
        Assert.Equal(sd, s.StandardDeviation!.Value, 12);
        Assert.Equal(se, s.StandardError!.Value, 12);
        Assert.Equal(2.5 - T975Df3 * se, s.CiLow!.Value, 9);
        Assert.Equal(2.5 + T975Df3 * se, s.CiHigh!.Value, 9);
        // The t-interval is wider than the normal one (1.96 SE) for so few values.
        Assert.True(s.CiHigh - s.CiLow > 2 * 1.96 * se + 1);
    }

    [Fact]
    public void Summarise_two_values_uses_one_degree_of_freedom()
    {
        var s = Intervals.Summarise([0.6, 0.8]);

        // mean 0.7, SD = |0.8 − 0.6| / sqrt(2), SE = SD / sqrt(2) = 0.1.
        Assert.Equal(0.7, s.Mean, 12);
        Assert.Equal(0.2 / Math.Sqrt(2), s.StandardDeviation!.Value, 12);
        Assert.Equal(0.1, s.StandardError!.Value, 12);
        Assert.Equal(0.7 - T975Df1 * 0.1, s.CiLow!.Value, 9);
        Assert.Equal(0.7 + T975Df1 * 0.1, s.CiHigh!.Value, 9);
    }

    [Fact]
    public void Summarise_constant_values_has_zero_spread_and_a_point_interval()
    {
        var s = Intervals.Summarise([0.8, 0.8, 0.8]);

        Assert.Equal(3, s.Count);
        Assert.Equal(0.8, s.Mean, 12);
        Assert.Equal(0.0, s.StandardDeviation!.Value, 12);
        Assert.Equal(0.0, s.StandardError!.Value, 12);
        Assert.Equal(0.8, s.CiLow!.Value, 12);
        Assert.Equal(0.8, s.CiHigh!.Value, 12);
    }

    [Fact]
    public void Summarise_one_value_has_a_mean_and_nothing_else()
    {
        var s = Intervals.Summarise([0.73]);

        Assert.Equal(new Summary(1, 0.73, null, null, null, null), s);
    }

    [Fact]
    public void Summarise_no_values_throws()
    {
        Assert.Throws<ArgumentException>(() => Intervals.Summarise([]));
    }

    // ---- bootstrap ----

    private static double? Mean(IReadOnlyList<double> items) => items.Count == 0 ? null : items.Average();

    private static IReadOnlyList<IReadOnlyList<double>> Groups(params double[][] groups) => groups;

    private static IReadOnlyList<IReadOnlyList<IReadOnlyList<double>>> Strata(params IReadOnlyList<IReadOnlyList<double>>[] strata) => strata;

    /// <summary>A stratum of <paramref name="count"/> patients, each with 1..4 noisy values around <paramref name="centre"/>.</summary>
    private static IReadOnlyList<IReadOnlyList<double>> NoisyStratum(Random rng, int count, double centre) =>
        Enumerable.Range(0, count)
            .Select(_ => (IReadOnlyList<double>)Enumerable.Range(0, rng.Next(1, 5)).Select(_ => centre + rng.NextDouble() - 0.5).ToList())
            .ToList();

    [Fact]
    public void Bootstrap_with_identical_groups_collapses_to_that_value()
    {
        var strata = Strata(Groups([0.7], [0.7, 0.7], [0.7]));

        var ci = Intervals.BootstrapMeanByGroup(strata, Mean, 500, seed: 1);

        Assert.NotNull(ci);
        Assert.Equal(0.7, ci.Value.Low, 12);
        Assert.Equal(0.7, ci.Value.High, 12);
    }

    [Fact]
    public void Bootstrap_averages_the_per_stratum_statistics_rather_than_pooling_items()
    {
        // Stratum 0: two patients with one item 0 each; stratum 1: two patients with nine items 1 each.
        // Mean of the per-stratum means: (0 + 1) / 2 = 0.5 in every replicate; pooling would give 18/20 = 0.9.
        var ones = Enumerable.Repeat(1.0, 9).ToArray();
        var strata = Strata(Groups([0.0], [0.0]), Groups(ones, ones));

        var ci = Intervals.BootstrapMeanByGroup(strata, Mean, 300, seed: 5);

        Assert.NotNull(ci);
        Assert.Equal(0.5, ci.Value.Low, 12);
        Assert.Equal(0.5, ci.Value.High, 12);
    }

    [Fact]
    public void Bootstrap_of_two_patients_spans_both_extremes()
    {
        // Two patients with values 0 and 1: a replicate's mean is 0 (p = 1/4), 0.5 (1/2) or 1 (1/4),
        // so the 2.5 % and 97.5 % percentiles are 0 and 1.
        var strata = Strata(Groups([0.0], [1.0]));

        var ci = Intervals.BootstrapMeanByGroup(strata, Mean, 1000, seed: 3);

        Assert.NotNull(ci);
        Assert.Equal(0.0, ci.Value.Low, 12);
        Assert.Equal(1.0, ci.Value.High, 12);
    }

    [Fact]
    public void Bootstrap_resamples_whole_groups_not_items()
    {
        // Patient A has items {0, 1} (mean 0.5), patient B has {0.5}. Resampling patients, every replicate's
        // mean is 0.5 (A+A, A+B, B+B all average 0.5); resampling items would spread it.
        var strata = Strata(Groups([0.0, 1.0], [0.5]));

        var ci = Intervals.BootstrapMeanByGroup(strata, Mean, 400, seed: 11);

        Assert.NotNull(ci);
        Assert.Equal(0.5, ci.Value.Low, 12);
        Assert.Equal(0.5, ci.Value.High, 12);
    }

    [Fact]
    public void Bootstrap_interval_contains_the_full_sample_mean_of_a_noisy_case()
    {
        var rng = new Random(2024);
        var strata = Strata(NoisyStratum(rng, 30, 0.6), NoisyStratum(rng, 25, 0.8), NoisyStratum(rng, 40, 0.7));
        var full = strata.Average(s => s.SelectMany(g => g).Average());

        var ci = Intervals.BootstrapMeanByGroup(strata, Mean, 1000, seed: 7);

        Assert.NotNull(ci);
        Assert.True(ci.Value.Low < ci.Value.High, $"degenerate interval {ci}");
        Assert.InRange(full, ci.Value.Low, ci.Value.High);
        // Noise is uniform ±0.5, so the interval of a mean over ~95 patients is well under ±0.2.
        Assert.True(ci.Value.High - ci.Value.Low < 0.2, $"interval {ci} too wide");
    }

    [Fact]
    public void Bootstrap_interval_is_wider_with_fewer_groups()
    {
        // Patients alternate between 0 and 1: same spread per patient, 10 versus 160 patients.
        static IReadOnlyList<IReadOnlyList<double>> Alternating(int n) =>
            Enumerable.Range(0, n).Select(i => (IReadOnlyList<double>)[i % 2]).ToList();

        var few = Intervals.BootstrapMeanByGroup(Strata(Alternating(10)), Mean, 1000, seed: 4);
        var many = Intervals.BootstrapMeanByGroup(Strata(Alternating(160)), Mean, 1000, seed: 4);

        Assert.NotNull(few);
        Assert.NotNull(many);
        var wFew = few.Value.High - few.Value.Low;
        var wMany = many.Value.High - many.Value.Low;
        // Expected widths ≈ 2 · 1.96 · 0.5 / sqrt(n): ≈ 0.62 and ≈ 0.155 (ratio 4).
        Assert.True(wFew > 2.5 * wMany, $"10 groups: {wFew}, 160 groups: {wMany}");
        Assert.InRange(few.Value.Low, 0.0, 0.5);
        Assert.InRange(few.Value.High, 0.5, 1.0);
    }

    [Fact]
    public void Bootstrap_is_deterministic_for_a_seed()
    {
        var strata = Strata(NoisyStratum(new Random(9), 12, 0.5), NoisyStratum(new Random(10), 8, 0.5));

        var a = Intervals.BootstrapMeanByGroup(strata, Mean, 500, seed: 42);
        var b = Intervals.BootstrapMeanByGroup(strata, Mean, 500, seed: 42);

        Assert.NotNull(a);
        Assert.Equal(a, b);
    }

    [Fact]
    public void Bootstrap_is_null_when_a_stratum_has_a_single_group()
    {
        var strata = Strata(Groups([0.1], [0.9]), Groups([0.4, 0.6]));

        Assert.Null(Intervals.BootstrapMeanByGroup(strata, Mean, 200, seed: 1));
    }

    [Fact]
    public void Bootstrap_is_null_without_strata()
    {
        Assert.Null(Intervals.BootstrapMeanByGroup(Strata(), Mean, 200, seed: 1));
    }

    [Fact]
    public void Bootstrap_is_null_when_the_statistic_is_mostly_undefined()
    {
        var strata = Strata(Groups([0.1], [0.9], [0.5]));

        Assert.Null(Intervals.BootstrapMeanByGroup(strata, _ => null, 200, seed: 1));
    }

    [Fact]
    public void Bootstrap_skips_undefined_replicates()
    {
        // Undefined when the replicate holds only one patient's value; defined replicates have a mean in (0, 1).
        // With 3 patients, P(all draws the same patient) = 3/27, so most replicates are kept.
        var strata = Strata(Groups([0.0], [1.0], [0.5]));
        double? Spread(IReadOnlyList<double> items) => items.Distinct().Count() == 1 ? null : items.Average();

        var ci = Intervals.BootstrapMeanByGroup(strata, Spread, 1000, seed: 8);

        Assert.NotNull(ci);
        Assert.True(ci.Value.Low > 0 && ci.Value.High < 1, $"undefined replicates leaked into {ci}");
    }

    [Fact]
    public void An_interval_cut_to_a_range_clips_only_its_bounds()
    {
        var wide = Intervals.Summarise([0.0, 1.0, 1.0]);
        Assert.True(wide.CiLow < 0 && wide.CiHigh > 1);
        var cut = wide.Within(0, 1);
        Assert.Equal((0.0, 1.0), (cut.CiLow!.Value, cut.CiHigh!.Value));
        Assert.Equal((wide.Count, wide.Mean, wide.StandardDeviation, wide.StandardError), (cut.Count, cut.Mean, cut.StandardDeviation, cut.StandardError));

        var inside = Intervals.Summarise([0.8, 0.85, 0.9]);
        Assert.Equal(inside, inside.Within(0, 1));
        var single = Intervals.Summarise([0.4]);
        Assert.Equal(single, single.Within(0, 1));
    }
}
