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
