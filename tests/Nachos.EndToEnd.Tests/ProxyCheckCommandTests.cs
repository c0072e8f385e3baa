using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Nachos.Host.Dashboard;
using Nachos.Shared.Proxy;
using Nachos.Shared.Statistics;

namespace Nachos.EndToEnd.Tests;

/// <summary>One real <c>nachos proxy-check</c> run (a quarter-width proxy network, three configurations), made on first use and shared.</summary>
public sealed class ProxyCheckRun : IDisposable
{
    private const string Search = """
        { trials: 3, sampler: random, space: { learning_rate: { type: log-uniform, low: 0.0003, high: 0.03 } }, proxy: { network: { width: 0.25 } } }
        """;

    private readonly TempDir _dir = new();
    private readonly Lazy<(int Code, string Output, string Error)> _run;

    public ProxyCheckRun() => _run = new(() =>
    {
        // Images of 64 px and a full-width network, so the training, not the process start, is most of a task's seconds.
        File.WriteAllText(_dir.File("spec.yaml"), RunCommandTests.TorchSpec("pcheck", "{ max_epochs: 2, batch_size: 16, optimizer: adam }", Search,
                "{ trainer: torch, executor: subprocess, devices: 2 }")
            .Replace("size: 32, seed: 4", "size: 64, seed: 4").Replace("image: { size: 32 }", "image: { size: 64 }").Replace("width: 0.5 }", "width: 1 }"));
        return NachosProcess.Run(TimeSpan.FromMinutes(20), _dir.Path, null, "proxy-check", "spec.yaml", "--format", "json", "--out", "check");
    });

    /// <summary>The command's exit code, standard output and standard error (the run happens on first use).</summary>
    public (int Code, string Output, string Error) Result => _run.Value;

    public string PathOf(string relative) => _dir.File(relative);

    public void Dispose() => _dir.Dispose();
}

/// <summary>
/// <c>nachos proxy-check</c> with the real TorchSharp trainer in child task processes, its page (beside proxy-check.json, and on
/// a study's page when its run directory holds the file), and its refusal of a spec without a proxy.
/// </summary>
[Collection(FinishedStudiesCollection.Name)]
public sealed class ProxyCheckCommandTests(ProxyCheckRun check, FinishedStudies studies) : IClassFixture<ProxyCheckRun>
{
    [Fact]
    public void A_quarter_width_proxy_network_ranks_three_configurations_and_reports_agreement_regret_and_cost_consistent_with_its_pairs()
    {
        var (code, output, error) = check.Result;
        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
        using var file = JsonDocument.Parse(File.ReadAllText(check.PathOf("check/proxy-check.json")));
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
        // Each evaluation's split scores, in split order: their mean is its score, and the splits' agreement is theirs.
        var splits = root.GetProperty("inner_splits").GetInt32();
        Assert.True(splits >= 2);
        foreach (var side in new[] { "full", "proxy" })
        {
            var scores = pairs.Select(p => p.GetProperty(side).GetProperty("splits").EnumerateArray().Select(x => x.GetDouble()).ToList()).ToList();
            Assert.All(scores, s => Assert.Equal(splits, s.Count));
            foreach (var (pair, s) in pairs.Zip(scores)) Assert.Equal(pair.GetProperty(side).GetProperty("score").GetDouble(), s.Average(), 12);
            var agreement = ProxyCheck.SplitAgreement(scores.Select(s => s.Select(x => (double?)x).ToList()).ToList());
            var stated = verdict.GetProperty($"{side}_split_spearman");
            if (agreement is { } a) Assert.Equal(a.Rho, stated.GetDouble(), 12);
            else Assert.Equal(JsonValueKind.Null, stated.ValueKind);
        }
        // The proxy's tasks trained the quarter-width network, the full ones the spec's.
        Assert.True(new FileInfo(check.PathOf("check/proxy/o0/t0/s0/model.pt")).Length * 4 < new FileInfo(check.PathOf("check/full/o0/t0/s0/model.pt")).Length);
        // The page beside the file is named on standard error (which Spectre may wrap).
        Assert.Contains(check.PathOf("check/proxy-check.html"), Regex.Replace(error, @"\s+", ""));
    }

    [Fact]
    public async Task The_page_beside_proxy_check_json_states_its_verdict_plots_one_point_per_configuration_and_tables_them()
    {
        Assert.True(check.Result.Code == 0, $"exit {check.Result.Code}\n{check.Result.Error}");
        var file = ProxyCheckFile.Read(check.PathOf("check/proxy-check.json"));
        await using var browser = await Browser.Launch();
        var (page, requests) = await browser.NewPage();
        await page.GotoAsync(new Uri(check.PathOf("check/proxy-check.html")).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });

        // The sentence states ρ and τ-b as the file has them, with their intervals.
        var sentence = await page.Locator("#proxy-check-verdict").InnerTextAsync();
        foreach (var (name, c) in new[] { ("Spearman ρ", file.Verdict.Spearman), ("Kendall τ-b", file.Verdict.KendallTauB) })
            Assert.Contains(c.Value is { } v
                ? $"{name} {Round(v)}" + (c.CiLow is { } l && c.CiHigh is { } h ? $" (95 % CI {Round(l)} to {Round(h)})" : " (no CI)")
                : $"{name} undefined", sentence);
        Assert.Contains($"ranks the {file.Verdict.Paired} configurations", sentence);

        // One row per configuration of the file, with its scores and device-seconds exactly.
        var rows = await page.Locator("#proxy-check-table tbody tr").EvaluateAllAsync<string[][]>(
            "rs => rs.map(r => [r.dataset.trial, r.querySelector('td[data-metric=full]').dataset.value, r.querySelector('td[data-metric=proxy]').dataset.value, r.children[r.children.length - 3].dataset.value, r.children[r.children.length - 2].dataset.value])");
        Assert.Equal(file.Pairs.Select(p => p.Trial.ToString(CultureInfo.InvariantCulture)), rows.Select(r => r[0]));
        foreach (var (pair, row) in file.Pairs.Zip(rows))
        {
            Assert.Equal(pair.Full.Score!.Value, double.Parse(row[1], CultureInfo.InvariantCulture));
            Assert.Equal(pair.Proxy.Score!.Value, double.Parse(row[2], CultureInfo.InvariantCulture));
            Assert.Equal(pair.Full.Seconds, double.Parse(row[3], CultureInfo.InvariantCulture));
            Assert.Equal(pair.Proxy.Seconds, double.Parse(row[4], CultureInfo.InvariantCulture));
        }
        Assert.Contains(" (full best)", await page.Locator($"#proxy-check-table tr[data-trial='{file.Verdict.FullBestTrial}'] td").First.InnerTextAsync());
        Assert.Contains(" (proxy's choice)", await page.Locator($"#proxy-check-table tr[data-trial='{file.Verdict.ProxyChoiceTrial}'] td").First.InnerTextAsync());

        // The plot: a point per paired configuration, two rings on the full best's and the proxy's choice's points; legend and
        // labels off the data; AUROC on both axes within [0, 1].
        var plot = Assert.Single(await PlotLayout.Measure(page, "svg#proxy-check-plot"));
        var points = plot.Markers.Where(m => m[3] == 1).ToList();
        var rings = plot.Markers.Where(m => m[3] == 0).ToList();
        Assert.Equal(file.Verdict.Paired, points.Count);
        Assert.Equal(2, rings.Count);
        Assert.All(rings, r => Assert.Contains(points, p => Math.Abs(p[0] - r[0]) < 0.5 && Math.Abs(p[1] - r[1]) < 0.5));
        Assert.True(plot.OverData.Length == 0, $"text over the data: {string.Join(", ", plot.OverData)}");
        plot.AssertXWithinUnit();
        plot.AssertYWithinUnit();
        await page.Locator("#proxy-check-plot").ScreenshotAsync(new LocatorScreenshotOptions { Path = Browser.Screenshot("proxy-check-plot.png") });
        Assert.All(requests, url => Assert.True(url.StartsWith("file:", StringComparison.Ordinal) || url.StartsWith("data:", StringComparison.Ordinal), $"requested {url}"));
    }

    private static string Round(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    [Fact]
    public async Task A_study_whose_run_directory_holds_its_proxy_check_shows_it_in_its_contents_and_a_malformed_or_foreign_file_as_an_error()
    {
        Assert.True(check.Result.Code == 0, $"exit {check.Result.Code}\n{check.Result.Error}");
        using var dir = new TempDir();
        var runDir = dir.File("sim");
        DirectoryCopy.Copy(studies.Simulated.RunDir, runDir);
        var target = ProxyCheckFile.PathIn(runDir);
        string Served() => new DashboardRenderer(StudyRun.Load(runDir)).StudyPage(new ServedLinks("sim"));

        // The check of the study's own spec (named as the study): a section in the served page and in the export, listed in the contents.
        var json = JsonNode.Parse(File.ReadAllText(check.PathOf("check/proxy-check.json")))!;
        json["study"] = "sim";
        File.WriteAllText(target, json.ToJsonString());
        var served = Served();
        Assert.Contains("<h2 id=\"proxy-check\">Proxy check</h2>", served);
        Assert.Equal(3, Regex.Matches(served, "<tr data-trial=").Count);
        var export = NachosProcess.Run(dir.Path, "report", runDir, "--format", "html", "--out", dir.File("report.html"));
        Assert.True(export.Code == 0, $"exit {export.Code}\n{export.Output}\n{export.Error}");
        await using (var browser = await Browser.Launch())
        {
            var (page, _) = await browser.NewPage();
            await page.GotoAsync(new Uri(dir.File("report.html")).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
            await page.Locator("#toc a[href='#proxy-check']", new PageLocatorOptions { HasText = "Proxy check" }).ClickAsync();
            Assert.EndsWith("#proxy-check", page.Url);
            Assert.Equal(3, await page.Locator("#proxy-check-table tbody tr").CountAsync());
            Assert.Equal(1, await page.Locator("svg#proxy-check-plot").CountAsync());
        }
        Assert.DoesNotContain("id=\"proxy-check\"", File.ReadAllText(studies.Simulated.Html)); // absent without the file

        // Another study's check, a file that is not JSON, and JSON of another kind: an error section naming the file, none of its content.
        File.Copy(check.PathOf("check/proxy-check.json"), target, overwrite: true);
        Assert.Contains($"<p class=\"failure\" id=\"proxy-check-problem\">{target}: the proxy check of study &#x27;pcheck&#x27;, not of this study &#x27;sim&#x27;</p>", Served());
        foreach (var content in new[] { "{ \"pairs\": [ SECRET", "{ \"format\": 1, \"study\": \"SECRET\", \"conditions\": [] }" })
        {
            File.WriteAllText(target, content);
            var page = Served();
            Assert.Matches($"<p class=\"failure\" id=\"proxy-check-problem\">{Regex.Escape(target)}: not a proxy check[^<]*</p>", page);
            Assert.DoesNotContain("SECRET", page);
            Assert.DoesNotContain("proxy-check-table", page);
        }
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
