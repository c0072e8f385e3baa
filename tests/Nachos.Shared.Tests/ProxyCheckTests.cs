using Nachos.Shared.Proxy;
using Nachos.Shared.Search;
using Nachos.Shared.Seeding;
using Nachos.Shared.Spec;
using Nachos.Shared.SpecLoading;
using Nachos.Shared.Statistics;
using static Nachos.Shared.Tests.SearchTestKit;

namespace Nachos.Shared.Tests;

/// <summary>proxy-check's statistics against SciPy, its verdict, the configurations it draws and the full-size spec it derives.</summary>
public sealed class ProxyCheckTests
{
    // Expected values: scipy 1.10.1 (/usr/bin/python3), spearmanr(x, y).statistic and kendalltau(x, y).statistic (tau-b).
    public static TheoryData<double[], double[], double, double> SciPy => new()
    {
        { [0.71, 0.65, 0.80, 0.55, 0.60, 0.77, 0.52, 0.69], [0.66, 0.68, 0.74, 0.50, 0.63, 0.61, 0.57, 0.70], 0.6666666666666669, 0.4999999999999999 },
        { [0.7, 0.7, 0.8, 0.5, 0.6, 0.6, 0.9], [0.6, 0.65, 0.65, 0.5, 0.5, 0.7, 0.8], 0.6666666666666667, 0.5789473684210525 },
        { [1, 1, 1, 2, 2, 3], [1, 2, 2, 2, 3, 3], 0.7833333333333334, 0.7272727272727273 },
        { [3, 1, 2, 2, 5, 4, 4, 0], [0.1, 0.9, 0.5, 0.5, 0.2, 0.3, 0.3, 0.8], -0.8292682926829269, -0.6923076923076924 },
        { [1, 2, 3, 4], [4, 3, 2, 1], -1.0, -1.0 },
        { [0.3, 0.5], [0.2, 0.9], 0.9999999999999999, 1.0 },
        { [0.3, 0.5], [0.9, 0.2], -0.9999999999999999, -1.0 },
    };

    [Theory]
    [MemberData(nameof(SciPy))]
    public void Spearman_and_kendall_tau_b_are_scipys_with_ties_and_with_two_pairs(double[] x, double[] y, double rho, double tau)
    {
        Assert.Equal(rho, RankCorrelation.Spearman(x, y)!.Value, 12);
        Assert.Equal(tau, RankCorrelation.KendallTauB(x, y)!.Value, 12);
    }

    [Theory]
    [InlineData(new[] { 0.3, 0.3 }, new[] { 0.2, 0.9 })] // scipy: nan, nan (a side without two distinct values)
    [InlineData(new[] { 1.0, 1.0, 1.0 }, new[] { 1.0, 2.0, 3.0 })]
    [InlineData(new[] { 0.5 }, new[] { 0.7 })]
    public void Where_scipy_gives_nan_both_are_undefined(double[] x, double[] y)
    {
        Assert.Null(RankCorrelation.Spearman(x, y));
        Assert.Null(RankCorrelation.KendallTauB(x, y));
    }

    private static ProxyCheckPair Pair(int trial, double? full, double? proxy, double fullSeconds = 10, double proxySeconds = 2, double? se = 0.02) =>
        new(trial, new Dictionary<string, string> { ["learning_rate"] = $"0.00{trial + 1}" },
            new InnerEvaluation(full, full is null ? null : se, fullSeconds, full is null ? "crashed: boom" : null),
            new InnerEvaluation(proxy, proxy is null ? null : se, proxySeconds, proxy is null ? "crashed: boom" : null));

    [Fact]
    public void The_verdict_gives_the_regret_of_the_proxys_choice_beside_the_se_and_the_speed_up_of_the_paired_configurations()
    {
        var pairs = new[]
        {
            Pair(0, 0.80, 0.70), Pair(1, 0.85, 0.72), Pair(2, 0.78, 0.74), Pair(3, 0.70, 0.60),
            Pair(4, null, 0.90, fullSeconds: 100), // failed at full size: not paired, its seconds not counted
        };
        var v = ProxyCheck.Verdict(pairs, maximise: true, seed: 7);
        Assert.Equal(4, v.Paired);
        Assert.Equal(1, v.FullBestTrial);
        Assert.Equal(2, v.ProxyChoiceTrial);
        Assert.Equal(0.85 - 0.78, v.Regret!.Value, 12);
        Assert.False(v.RegretWithinStandardError); // 0.07 > SE 0.02
        Assert.Equal(40, v.FullDeviceSeconds, 12);
        Assert.Equal(8, v.ProxyDeviceSeconds, 12);
        Assert.Equal(5, v.SpeedUp!.Value, 12);
        // spearmanr([.80, .85, .78, .70], [.70, .72, .74, .60]) = 0.39999999999999997; kendalltau = 0.3333333333333334
        Assert.Equal(0.39999999999999997, v.Spearman.Value!.Value, 12);
        Assert.Equal(0.3333333333333334, v.KendallTauB.Value!.Value, 12);
        foreach (var c in new[] { v.Spearman, v.KendallTauB })
        {
            Assert.InRange(c.CiLow!.Value, -1, c.Value!.Value);
            Assert.InRange(c.CiHigh!.Value, c.Value!.Value, 1);
        }
        Assert.Equal(v, ProxyCheck.Verdict(pairs, maximise: true, seed: 7)); // seeded: the same intervals again
    }

    [Fact]
    public void For_a_minimised_metric_the_best_is_the_lowest_and_the_regret_is_still_positive_and_ties_go_to_the_lowest_trial()
    {
        var v = ProxyCheck.Verdict([Pair(0, 0.40, 0.52), Pair(1, 0.35, 0.50), Pair(2, 0.45, 0.50)], maximise: false, seed: 1);
        Assert.Equal(1, v.FullBestTrial);
        Assert.Equal(1, v.ProxyChoiceTrial); // trials 1 and 2 tie on the proxy
        Assert.Equal(0, v.Regret!.Value, 12);
        Assert.True(v.RegretWithinStandardError);
        var worse = ProxyCheck.Verdict([Pair(0, 0.40, 0.40), Pair(1, 0.35, 0.50)], maximise: false, seed: 1);
        Assert.Equal(0.05, worse.Regret!.Value, 12);
        Assert.Equal(-1, worse.Spearman.Value!.Value, 12);
    }

    private static InnerEvaluation Splits(params double[] scores) => new(scores.Average(), 0.01, 1, null, scores.Select(s => (double?)s).ToList());

    [Fact]
    public void The_verdict_states_how_alike_each_evaluations_own_splits_rank_and_the_rho_that_noise_leaves_attainable()
    {
        // Five configurations × three inner splits; split j of every configuration in column j.
        double[][] full = [[0.80, 0.82, 0.79], [0.85, 0.80, 0.86], [0.78, 0.79, 0.70], [0.70, 0.72, 0.71], [0.75, 0.74, 0.77]];
        double[][] proxy = [[0.70, 0.69, 0.71], [0.72, 0.75, 0.70], [0.74, 0.70, 0.73], [0.60, 0.62, 0.61], [0.65, 0.60, 0.66]];
        var pairs = full.Select((f, n) => new ProxyCheckPair(n, new Dictionary<string, string>(), Splits(f), Splits(proxy[n]))).ToList();
        var v = ProxyCheck.Verdict(pairs, maximise: true, seed: 3);
        // scipy: mean of spearmanr over the split pairs (0, 1), (0, 2), (1, 2): full 0.9, 0.7, 0.6; proxy 0.8, 0.9, 0.6
        Assert.Equal(0.7333333333333333, v.FullSplitSpearman!.Value, 12);
        Assert.Equal(0.7666666666666666, v.ProxySplitSpearman!.Value, 12);
        // sqrt(R(0.733, 3) * R(0.767, 3)), R(r, J) = J r / (1 + (J - 1) r)
        Assert.Equal(0.8998577412462463, v.AttainableSpearman!.Value, 12);
        Assert.Contains("inner splits rank them alike at ρ 0.733 (the proxy's: 0.767); at this noise a proxy that ranked exactly like the full size would reach ρ ≈ 0.9.",
            ProxyCheckSummary.Noise(v));

        // Two splits, a tie on one side; the proxy's splits rank in opposite orders: nothing is attainable.
        var two = ProxyCheck.Verdict([
            new(0, new Dictionary<string, string>(), Splits(0.9, 0.85), Splits(0.5, 0.8)), new(1, new Dictionary<string, string>(), Splits(0.8, 0.9), Splits(0.6, 0.7)),
            new(2, new Dictionary<string, string>(), Splits(0.8, 0.7), Splits(0.7, 0.6)), new(3, new Dictionary<string, string>(), Splits(0.6, 0.6), Splits(0.8, 0.5))], true, 3);
        Assert.Equal(0.632455532033676, two.FullSplitSpearman!.Value, 12); // spearmanr([.9, .8, .8, .6], [.85, .9, .7, .6])
        Assert.Equal(-1, two.ProxySplitSpearman!.Value, 12);
        Assert.Null(two.AttainableSpearman);
        Assert.EndsWith("at this noise no ρ can be expected from any proxy.", ProxyCheckSummary.Noise(two));

        // Without split scores (a file written before them) or with one split, nothing is said about the noise.
        var old = ProxyCheck.Verdict([Pair(0, 0.8, 0.7), Pair(1, 0.7, 0.6), Pair(2, 0.6, 0.65)], true, 3);
        Assert.Null(old.FullSplitSpearman);
        Assert.Null(old.AttainableSpearman);
        Assert.Null(ProxyCheckSummary.Noise(old));
        Assert.Null(ProxyCheck.SplitAgreement([Splits(0.8).Splits, Splits(0.7).Splits, Splits(0.6).Splits]));
        Assert.Null(ProxyCheck.SplitAgreement([Splits(0.8, 0.7).Splits, null]));
    }

    [Fact]
    public void With_fewer_than_two_paired_configurations_nothing_is_compared()
    {
        var v = ProxyCheck.Verdict([Pair(0, 0.8, 0.7), Pair(1, null, 0.6)], maximise: true, seed: 1);
        Assert.Equal(1, v.Paired);
        Assert.Null(v.Spearman.Value);
        Assert.Null(v.Spearman.CiLow);
        Assert.Null(v.KendallTauB.Value);
    }

    [Fact]
    public void The_configurations_are_the_folds_random_sampler_stream_for_random_and_tpe_specs()
    {
        var space = MixedSpace();
        var random = NewSearch(SamplerKind.Random, space);
        // What FoldState.Sampler proposes for outer fold 1 of a study with seed 11, results not yet seen.
        var sampler = Samplers.Create(random, Seeds.Derive(11, 2, 1));
        var expected = new List<Nachos.Shared.Tasks.Hyperparameters>();
        for (var n = 0; n < 5; n++) expected.Add(sampler.Suggest(n, expected, []));

        Assert.Equal(expected, ProxyCheck.Configurations(random, 11, 1, 5));
        Assert.Equal(expected, ProxyCheck.Configurations(NewSearch(SamplerKind.Tpe, space), 11, 1, 5));
        Assert.NotEqual(expected, ProxyCheck.Configurations(random, 11, 0, 5));
        Assert.Equal(5, expected.Distinct().Count());
    }

    [Fact]
    public void The_full_size_spec_is_the_spec_without_search_proxy()
    {
        const string yaml = """
            name: p
            dataset: { synthetic: { out: data, patients: 12 }, classes: [normal, lesion] }
            search:
              trials: 3
              space: { learning_rate: { type: log-uniform, low: 0.0001, high: 0.01 } }
              proxy: { data: { fraction: 0.5, method: ncc }, network: { width: 0.25 } }
            """;
        var dir = Path.GetTempPath();
        Assert.NotNull(SpecLoader.Parse(yaml, Path.Combine(dir, "spec.yaml")).Search.Proxy);
        var full = SpecLoader.Parse(SpecText.WithoutProxy(yaml), Path.Combine(dir, "spec.yaml"));
        Assert.Null(full.Search.Proxy);
        Assert.Equal(3, full.Search.Trials);
        Assert.Equal("p", full.Name);
    }
}
