using System.Text.Json;
using Nachos.Shared.Files;
using Nachos.Shared.Proxy;

namespace Nachos.Shared.Tests;

/// <summary>The proxy-check page's view of proxy-check.json: ranks, the verdict's wording and its thresholds, and reading the file.</summary>
public sealed class ProxyCheckSummaryTests
{
    private static ProxyCheckPair Pair(int trial, double? full, double? proxy, double fullSeconds = 10, double proxySeconds = 2) =>
        new(trial, new Dictionary<string, string> { ["learning_rate"] = $"0.00{trial + 1}" },
            new InnerEvaluation(full, full is null ? null : 0.02, fullSeconds, full is null ? "crashed" : null),
            new InnerEvaluation(proxy, proxy is null ? null : 0.02, proxySeconds, proxy is null ? "crashed" : null));

    private static ProxyCheckFile File(IReadOnlyList<ProxyCheckPair> pairs, bool maximise = true, string metric = "auroc") =>
        new("pc", "/specs/pc.yaml", 1, metric, maximise, "random", 7, 3, 2, new ProxyCheckSetting(null, null, 0.25, 0), pairs.Count,
            ProxyCheck.BootstrapReplicates, pairs, ProxyCheck.Verdict(pairs, maximise, 7));

    [Fact]
    public void Each_evaluation_ranks_the_configurations_it_scored_best_first_ties_sharing_and_marks_the_full_best_and_the_proxys_choice()
    {
        var summary = ProxyCheckSummary.Of(File([Pair(0, 0.80, 0.70), Pair(1, 0.85, 0.72), Pair(2, 0.80, 0.74), Pair(3, null, 0.60), Pair(4, 0.70, 0.74)]));
        Assert.Equal([0, 1, 2, 3, 4], summary.Rows.Select(r => r.Pair.Trial));
        Assert.Equal([2, 1, 2, null, 4], summary.Rows.Select(r => r.FullRank));
        Assert.Equal([4, 3, 1, 5, 1], summary.Rows.Select(r => r.ProxyRank));
        Assert.Equal([1], summary.Rows.Where(r => r.FullBest).Select(r => r.Pair.Trial));
        Assert.Equal([2], summary.Rows.Where(r => r.ProxyChoice).Select(r => r.Pair.Trial)); // trials 2 and 4 tie on the proxy: the lower
    }

    [Fact]
    public void For_a_minimised_metric_the_lowest_ranks_first()
    {
        var summary = ProxyCheckSummary.Of(File([Pair(0, 0.40, 0.52), Pair(1, 0.35, 0.50), Pair(2, 0.45, 0.49)], maximise: false, metric: "loss"));
        Assert.Equal([2, 1, 3], summary.Rows.Select(r => r.FullRank));
        Assert.Equal([3, 2, 1], summary.Rows.Select(r => r.ProxyRank));
    }

    [Theory]
    [InlineData(0.85, 0.2, 1.0, "like the full size")]
    [InlineData(0.8, 0.1, 1.0, "like the full size")]
    [InlineData(0.79, 0.1, 1.0, "roughly like the full size")]
    [InlineData(0.5, 0.1, 0.9, "roughly like the full size")]
    [InlineData(0.49, 0.05, 0.8, "only weakly like the full size")]
    [InlineData(-0.5, -0.9, -0.1, "unlike the full size")]
    [InlineData(0.9, -0.2, 1.0, "in an order this check cannot tell from a random one (the CI of ρ includes 0)")]
    [InlineData(0.9, 0.0, 1.0, "in an order this check cannot tell from a random one (the CI of ρ includes 0)")]
    [InlineData(-0.6, -1.0, 0.1, "in an order this check cannot tell from a random one (the CI of ρ includes 0)")]
    [InlineData(0.9, null, null, "like the full size")]
    [InlineData(null, null, null, "in no order that can be compared with the full size's (ρ is undefined)")]
    public void The_agreement_is_worded_from_rho_and_its_ci(double? rho, double? low, double? high, string expected) =>
        Assert.Equal(expected, ProxyCheckSummary.Agreement(new Correlation(rho, low, high)));

    [Fact]
    public void The_sentence_states_rho_and_tau_with_their_cis_the_regret_against_the_se_and_the_speed_up()
    {
        var pairs = new[] { Pair(0, 0.80, 0.70), Pair(1, 0.85, 0.72), Pair(2, 0.78, 0.74), Pair(3, 0.70, 0.60) };
        var file = File(pairs);
        var v = file.Verdict;
        var sentence = ProxyCheckSummary.Of(file).Verdict;
        // spearmanr([.80, .85, .78, .70], [.70, .72, .74, .60]) = 0.4; kendalltau = 0.333 (ProxyCheckTests checks them against SciPy).
        Assert.StartsWith("On outer fold 1, the proxy (network width 0.25) ranks the 4 configurations scored by both ", sentence);
        Assert.Contains(FormattableString.Invariant($"Spearman ρ 0.4 (95 % CI {v.Spearman.CiLow!.Value:0.###} to {v.Spearman.CiHigh!.Value:0.###})"), sentence);
        Assert.Contains(FormattableString.Invariant($"Kendall τ-b 0.333 (95 % CI {v.KendallTauB.CiLow!.Value:0.###} to {v.KendallTauB.CiHigh!.Value:0.###})"), sentence);
        Assert.Contains("choosing by it costs a regret of 0.07 in auroc, more than the full best's SE of 0.02", sentence);
        Assert.EndsWith("a speed-up of 5× in device-seconds (40 s at full size, 8 s on the proxy).", sentence);

        var close = ProxyCheckSummary.Sentence(File([Pair(0, 0.80, 0.70, proxySeconds: 0), Pair(1, 0.81, 0.69, proxySeconds: 0)]));
        Assert.Contains("choosing by it costs a regret of 0.01 in auroc, within the full best's SE of 0.02", close);
        Assert.Contains("no speed-up can be stated (the proxy recorded no device-seconds)", close);
        // A file whose verdict has no SE for the best (hand-edited, say) still reads as a sentence.
        Assert.Contains("a regret of 0.07 in auroc (the full best has no SE to compare it with)",
            ProxyCheckSummary.Sentence(file with { Verdict = v with { FullBestStandardError = null } }));
    }

    [Theory]
    [InlineData(null, null, 0.25, 0, "network width 0.25")]
    [InlineData(null, null, 1.0, -2, "network depth -2")]
    [InlineData(0.5, "ncc", 0.5, -1, "data 50 % by ncc; network width 0.5, depth -1")]
    [InlineData(0.3, "random", null, null, "data 30 % by random")]
    public void The_proxy_is_named_by_what_it_shrinks(double? fraction, string? method, double? width, int? depth, string expected) =>
        Assert.Equal(expected, new ProxyCheckSetting(fraction, method, width, depth).Text());

    [Fact]
    public void A_check_without_two_paired_configurations_says_so()
    {
        var sentence = ProxyCheckSummary.Sentence(File([Pair(0, null, 0.7), Pair(1, 0.8, null)]));
        Assert.Contains("ranks the 0 configurations scored by both in no order that can be compared", sentence);
        Assert.Contains("Spearman ρ undefined, Kendall τ-b undefined", sentence);
        Assert.Contains("no regret can be stated", sentence);
    }

    [Fact]
    public void The_file_reads_back_and_a_malformed_or_foreign_file_is_refused_naming_it_without_its_content()
    {
        using var dir = new TempDir();
        var file = File([Pair(0, 0.80, 0.70), Pair(1, 0.85, 0.72), Pair(2, 0.78, 0.74)]);
        var path = ProxyCheckFile.PathIn(dir.Path);
        System.IO.File.WriteAllText(path, JsonSerializer.Serialize(file, FileJson.Options));
        var read = ProxyCheckFile.Read(path);
        Assert.Equal(file.Verdict, read.Verdict);
        Assert.Equal(file.Pairs.Select(p => p.Config["learning_rate"]), read.Pairs.Select(p => p.Config["learning_rate"]));

        foreach (var content in new[] { "{\"pairs\": [ SECRET-TOKEN", "{\"format\": 1, \"study\": \"SECRET-TOKEN\", \"conditions\": []}", "[1, 2]",
                     "{\"study\": \"SECRET-TOKEN\", \"metric\": \"auroc\", \"proxy\": {}, \"pairs\": [{\"trial\": 0}], \"verdict\": {\"spearman\": {}, \"kendall_tau_b\": {}}}",
                     "{\"study\": \"x\", \"pairs\": [{\"trial\": 0, \"config\": {\"a\": \"SECRET-TOKEN\", \"a\": \"2\"}}]}" })
        {
            System.IO.File.WriteAllText(path, content);
            var e = Assert.Throws<InvalidDataException>(() => ProxyCheckFile.Read(path));
            Assert.StartsWith($"{path}: not a proxy check", e.Message);
            Assert.DoesNotContain("SECRET", e.Message);
        }
    }
}
