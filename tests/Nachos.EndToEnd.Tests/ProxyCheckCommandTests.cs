using System.Text.Json;
using Nachos.Shared.Statistics;

namespace Nachos.EndToEnd.Tests;

/// <summary><c>nachos proxy-check</c> with the real TorchSharp trainer in child task processes, and its refusal of a spec without a proxy.</summary>
public sealed class ProxyCheckCommandTests
{
    private const string Search = """
        { trials: 3, sampler: random, space: { learning_rate: { type: log-uniform, low: 0.0003, high: 0.03 } }, proxy: { network: { width: 0.25 } } }
        """;

    [Fact]
    public void A_quarter_width_proxy_network_ranks_three_configurations_and_reports_agreement_regret_and_cost_consistent_with_its_pairs()
    {
        using var dir = new TempDir();
        // Images of 64 px and a full-width network, so the training, not the process start, is most of a task's seconds.
        File.WriteAllText(dir.File("spec.yaml"), RunCommandTests.TorchSpec("pcheck", "{ max_epochs: 2, batch_size: 16, optimizer: adam }", Search,
                "{ trainer: torch, executor: subprocess, devices: 2 }")
            .Replace("size: 32, seed: 4", "size: 64, seed: 4").Replace("image: { size: 32 }", "image: { size: 64 }").Replace("width: 0.5 }", "width: 1 }"));
        var (code, output, error) = NachosProcess.Run(TimeSpan.FromMinutes(20), dir.Path, null, "proxy-check", "spec.yaml", "--format", "json", "--out", "check");
        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");

        using var file = JsonDocument.Parse(File.ReadAllText(dir.File("check/proxy-check.json")));
        using var printed = JsonDocument.Parse(output); // standard output is the same JSON, nothing else
        var root = file.RootElement;
        Assert.Equal(root.GetRawText(), printed.RootElement.GetRawText());
        Assert.Equal(0, root.GetProperty("outer_fold").GetInt32());
        var pairs = root.GetProperty("pairs").EnumerateArray().ToList();
        Assert.Equal(3, pairs.Count);
        Assert.Equal(3, pairs.Select(p => p.GetProperty("config").GetProperty("learning_rate").GetString()).Distinct().Count());
        var full = pairs.Select(p => p.GetProperty("full").GetProperty("score").GetDouble()).ToList();
        var proxy = pairs.Select(p => p.GetProperty("proxy").GetProperty("score").GetDouble()).ToList();

        var verdict = root.GetProperty("verdict");
        Assert.Equal(3, verdict.GetProperty("paired").GetInt32());
        foreach (var (name, expected) in new[] { ("spearman", RankCorrelation.Spearman(full, proxy)), ("kendall_tau_b", RankCorrelation.KendallTauB(full, proxy)) })
        {
            var c = verdict.GetProperty(name);
            if (expected is null)
            {
                Assert.Equal(JsonValueKind.Null, c.GetProperty("value").ValueKind);
                continue;
            }
            var value = c.GetProperty("value").GetDouble();
            Assert.InRange(value, -1, 1);
            Assert.Equal(expected.Value, value, 12);
            if (c.GetProperty("ci_low").ValueKind == JsonValueKind.Number)
                Assert.InRange(value, c.GetProperty("ci_low").GetDouble(), c.GetProperty("ci_high").GetDouble());
        }
        // The regret, recomputed from the pairs: the best full score minus the full score of the proxy's best.
        var best = full.Max();
        var chosen = full[proxy.IndexOf(proxy.Max())];
        Assert.Equal(best - chosen, verdict.GetProperty("regret").GetDouble(), 12);

        var fullSeconds = pairs.Sum(p => p.GetProperty("full").GetProperty("seconds").GetDouble());
        var proxySeconds = pairs.Sum(p => p.GetProperty("proxy").GetProperty("seconds").GetDouble());
        Assert.Equal(fullSeconds / proxySeconds, verdict.GetProperty("speed_up").GetDouble(), 9);
        // How much faster is a benchmark's question (bench/README.md), not a test's: on a loaded machine a small task's fixed costs dominate.
        Assert.True(fullSeconds > 0 && proxySeconds > 0);
        // The proxy's tasks trained the quarter-width network, the full ones the spec's.
        Assert.True(new FileInfo(dir.File("check/proxy/o0/t0/s0/model.pt")).Length * 4 < new FileInfo(dir.File("check/full/o0/t0/s0/model.pt")).Length);
    }

    [Fact]
    public void A_spec_without_search_proxy_exits_2_naming_the_key_before_anything_runs()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), RunCommandTests.TorchSpec("noproxy", "{ max_epochs: 1 }",
            "{ trials: 2, sampler: random, space: { learning_rate: { type: log-uniform, low: 0.0003, high: 0.03 } } }", "{ trainer: torch }"));
        var (code, output, error) = NachosProcess.Run(dir.Path, "proxy-check", "spec.yaml");
        Assert.True(code == 2, $"exit {code}\n{output}\n{error}");
        Assert.Contains("search.proxy", error);
        Assert.DoesNotContain("   at ", error + output);
        Assert.False(Directory.Exists(dir.File("proxy-check-noproxy")));
        Assert.False(Directory.Exists(dir.File("data"))); // refused before the dataset was made or decoded
    }
}
