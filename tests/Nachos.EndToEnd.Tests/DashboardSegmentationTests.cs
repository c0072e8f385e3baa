using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Nachos.Host.Dashboard;
using Nachos.Shared.Spec;
using Nachos.Shared.Tasks;
using StbImageSharp;
using static Nachos.EndToEnd.Tests.StudyFiles;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// The dashboard of a segmentation study finished by the real <c>nachos run</c>: the contour gallery, its filter, and
/// the study page's segmentation metrics and Dice distribution, checked against the run directory's own files
/// (predictions.csv, the predicted mask PNGs, the synthetic truth masks) read here without the dashboard's code.
/// </summary>
[Collection(FinishedStudiesCollection.Name)]
public sealed class DashboardSegmentationTests(FinishedStudies studies) : IAsyncLifetime
{
    private const int Size = 32;
    private Browser? _browser;

    public async Task InitializeAsync() => _browser = await Browser.Launch();

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
    }

    private sealed record SegRow(string SampleId, string Set, double? Dice, double? Hd95, string Mask);

    private static IReadOnlyList<SegRow> SegPredictions(string runDir, string task)
    {
        var lines = File.ReadAllLines(Path.Combine(runDir, task, "predictions.csv"));
        var header = lines[0].Split(',').Select((h, i) => (h, i)).ToDictionary(t => t.h, t => t.i);
        double? Num(string v) => v == "" ? null : double.Parse(v, CultureInfo.InvariantCulture);
        return lines.Skip(1).Select(l => l.Split(','))
            .Select(f => new SegRow(f[header["sample_id"]], f[header["set"]], Num(f[header["dice"]]), Num(f[header["hd95"]]), f[header["mask"]])).ToList();
    }

    /// <summary>A 32×32 mask PNG as foreground flags (non-zero).</summary>
    private static bool[] Foreground(string png)
    {
        var image = ImageResult.FromMemory(File.ReadAllBytes(png), ColorComponents.Grey);
        Assert.Equal((Size, Size), (image.Width, image.Height));
        return image.Data.Select(v => v != 0).ToArray();
    }

    /// <summary>Foreground pixels with a 4-neighbour outside the foreground or outside the image (docs/spec.md).</summary>
    private static bool[] Surface(bool[] m)
    {
        bool At(int y, int x) => y >= 0 && x >= 0 && y < Size && x < Size && m[y * Size + x];
        var s = new bool[m.Length];
        for (var y = 0; y < Size; y++)
            for (var x = 0; x < Size; x++)
                s[y * Size + x] = At(y, x) && !(At(y - 1, x) && At(y + 1, x) && At(y, x - 1) && At(y, x + 1));
        return s;
    }

    /// <summary>The synthetic data's truth mask of a sample (ids are image paths relative to data/; masks/ holds the same names).</summary>
    private static string TruthMask(FinishedStudy study, string sampleId) =>
        Path.Combine(study.RunDir, "..", "data", "masks", Path.GetFileName(sampleId));

    private static string Outcome(bool truth, bool predicted) => (truth, predicted) switch
    {
        (true, true) => "detected",
        (true, false) => "missed",
        (false, true) => "false-detection",
        _ => "empty",
    };

    [Fact]
    public void The_model_page_shows_every_test_case_worst_dice_first_with_its_dice_hd95_outcome_and_contours_in_green_and_red()
    {
        var study = studies.Segmentation;
        var key = TaskAddress.Parse("seg/o0/refit");
        var html = new DashboardRenderer(StudyRun.Load(study.RunDir)).ModelPage(key, new ServedLinks("seg"));
        var rows = SegPredictions(study.RunDir, "o0/refit").Where(r => r.Set == "test").ToList();
        Assert.NotEmpty(rows);

        var figures = Regex.Matches(html, "<figure class=\"case [a-z-]+\" data-sample=\"([^\"]+)\" data-outcome=\"([a-z-]+)\" data-dice=\"([^\"]*)\" data-hd95=\"([^\"]*)\"><img src=\"data:image/png;base64,([^\"]+)\".*?</figure>", RegexOptions.Singleline)
            .Select(m => (Sample: System.Net.WebUtility.HtmlDecode(m.Groups[1].Value), Outcome: m.Groups[2].Value, Dice: m.Groups[3].Value, Hd95: m.Groups[4].Value, Png: m.Groups[5].Value, Html: m.Value)).ToList();
        Assert.Equal(rows.OrderBy(r => r.Dice).ThenBy(r => r.SampleId, StringComparer.Ordinal).Select(r => r.SampleId), figures.Select(f => f.Sample));
        Assert.Matches($"id=\"legend-{key.Anchor}\">.*green: ground-truth contour.*red: predicted contour.*yellow: both</span>", html);

        var (truthSurface, predictedSurface) = (0, 0);
        foreach (var f in figures)
        {
            var row = rows.Single(r => r.SampleId == f.Sample);
            Assert.Equal(row.Dice, Number(f.Dice));
            Assert.Equal(row.Hd95, f.Hd95 == "" ? null : Number(f.Hd95));
            Assert.Contains($"Dice <strong class=\"dice\">{row.Dice!.Value.ToString("F3", CultureInfo.InvariantCulture)}</strong>", f.Html);
            Assert.Contains($"HD95 <span class=\"hd95\">{(row.Hd95 is { } h ? h.ToString("F3", CultureInfo.InvariantCulture) : "n/a")}</span>", f.Html);

            var truth = Foreground(TruthMask(study, row.SampleId));
            var predicted = Foreground(Path.Combine(study.RunDir, "o0/refit", row.Mask));
            Assert.Equal(Outcome(truth.Any(v => v), predicted.Any(v => v)), f.Outcome);

            var picture = ImageResult.FromMemory(Convert.FromBase64String(System.Net.WebUtility.HtmlDecode(f.Png)), ColorComponents.RedGreenBlue);
            Assert.Equal((Size, Size), (picture.Width, picture.Height));
            var (t, p) = (Surface(truth), Surface(predicted));
            for (var i = 0; i < Size * Size; i++)
            {
                var rgb = (picture.Data[3 * i], picture.Data[3 * i + 1], picture.Data[3 * i + 2]);
                var expected = (t[i], p[i]) switch
                {
                    (true, true) => ((byte)255, (byte)255, (byte)0),
                    (true, false) => ((byte)0, (byte)255, (byte)0),
                    (false, true) => ((byte)255, (byte)0, (byte)0),
                    _ => (rgb.Item1, rgb.Item1, rgb.Item1), // the image, gray
                };
                Assert.True(expected == rgb, $"{f.Sample} pixel (x {i % Size}, y {i / Size}): {rgb} where {expected} was expected");
            }
            truthSurface += t.Count(v => v);
            predictedSurface += p.Count(v => v);
        }
        Assert.True(truthSurface > 0, "no test image has a lesion: nothing green to check");
        Assert.True(predictedSurface > 0, "no test image has a predicted lesion: nothing red to check");

        var buttons = Regex.Matches(html, "<button type=\"button\" data-filter=\"([a-z-]+)\"[^>]*>[^(]*\\((\\d+)\\)</button>").ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value));
        Assert.Equal(rows.Count, buttons["all"]);
        Assert.Equal(figures.Count(f => f.Outcome == "missed"), buttons["missed"]);
        Assert.Equal(figures.Count(f => f.Outcome == "false-detection"), buttons["false-detection"]);
        Assert.DoesNotContain("Confusion matrix", html);
        Assert.DoesNotContain("ROC curve", html);
    }

    [Fact]
    public void The_model_pages_metrics_are_the_mean_of_the_rows_and_the_study_page_has_segmentation_columns_and_the_dice_distribution()
    {
        var study = studies.Segmentation;
        var run = StudyRun.Load(study.RunDir);
        var renderer = new DashboardRenderer(run);
        var html = renderer.StudyPage(new ServedLinks("seg"));
        using var report = Report(study.RunDir);

        var folds = Element(html, "table", "folds");
        Assert.Equal(SpecNames.SegmentationMetrics, Regex.Matches(folds, "<th>test ([a-z0-9_]+)</th>").Select(m => m.Groups[1].Value));
        var leaderboard = Element(html, "table", "leaderboard");
        var columns = Regex.Matches(leaderboard, "data-column=\"([a-z0-9_-]+)\"").Select(m => m.Groups[1].Value).Where(c => c is not ("score" or "rank") && !c.StartsWith("hp-", StringComparison.Ordinal)).ToList();
        Assert.Equal([.. SpecNames.SegmentationMetrics, .. SpecNames.SegmentationMetrics.Select(m => $"test_{m}")], columns);
        Assert.DoesNotContain("data-metric=\"auroc\"", folds + leaderboard);
        Assert.Contains("<svg id=\"dice-distribution-plot\"", html);
        Assert.Contains("<svg id=\"fold-metrics-plot\"", html);
        var summary = Element(html, "table", "summary");
        Assert.Contains("<tr data-metric=\"dice\">", summary);
        Assert.Contains("<tr data-metric=\"hd95\">", summary);

        foreach (var fold in report.RootElement.GetProperty("folds").EnumerateArray())
        {
            var k = fold.GetProperty("outer").GetInt32();
            var rows = SegPredictions(study.RunDir, $"o{k}/refit").Where(r => r.Set == "test").ToList();
            var dice = fold.GetProperty("test_metrics").GetProperty("dice").GetDouble();
            Assert.Equal(rows.Average(r => r.Dice!.Value), dice, 12);
            var page = renderer.ModelPage(TaskAddress.Parse($"seg/o{k}/refit"), new ServedLinks("seg"));
            var test = Regex.Match(Element(page, "table", $"metrics-model-o{k}-refit"), "<tr data-set=\"test\">.*?</tr>", RegexOptions.Singleline).Value;
            Assert.Equal(dice, Number(Regex.Match(test, "data-metric=\"dice\" data-value=\"([^\"]*)\"").Groups[1].Value), 12);
            var hd95 = rows.Select(r => r.Hd95).OfType<double>().ToList();
            if (hd95.Count > 0)
                Assert.Equal(hd95.Average(), Number(Regex.Match(test, "data-metric=\"hd95\" data-value=\"([^\"]*)\"").Groups[1].Value), 12);
        }
    }

    [Fact]
    public void A_case_whose_predicted_mask_is_missing_is_shown_without_its_picture()
    {
        var study = studies.Segmentation;
        using var dir = new TempDir();
        var copy = dir.File("run");
        DirectoryCopy.Copy(study.RunDir, copy);
        var victim = SegPredictions(copy, "o1/refit").First(r => r.Set == "test");
        File.Delete(Path.Combine(copy, "o1/refit", victim.Mask));

        var html = new DashboardRenderer(StudyRun.Load(copy)).ModelPage(TaskAddress.Parse("seg/o1/refit"), new ServedLinks("seg"));
        var figure = Regex.Match(html, $"<figure[^>]*data-sample=\"{Regex.Escape(victim.SampleId)}\".*?</figure>", RegexOptions.Singleline).Value;
        Assert.Contains("class=\"noimage\"", figure);
        Assert.Equal(SegPredictions(copy, "o1/refit").Count(r => r.Set == "test") - 1, Regex.Matches(html, "<img src=\"data:image/png").Count);
    }

    [Fact]
    public void A_malformed_ensemble_file_is_one_line_naming_its_file_and_line_and_an_absent_one_shows_nothing()
    {
        var study = studies.Segmentation;
        var clean = new DashboardRenderer(StudyRun.Load(study.RunDir)).StudyPage(new ServedLinks("seg"));
        Assert.DoesNotContain("id=\"ensemble", clean);

        using var dir = new TempDir();
        var copy = dir.File("run");
        DirectoryCopy.Copy(study.RunDir, copy);
        const string header = "outer_fold,set,image,chosen_rule,union,intersection,majority,mean-probability";
        var external = Path.Combine(copy, "ensemble-external.csv");
        File.WriteAllText(external, $"{header},refit_o0,refit_o1,oracle\n,external,a.png,union,0.5,0.5,0.5,0.5,0.5,0.5,0.5\n,external,b.png,union,SECRET-7,0.5,0.5,0.5,0.5,0.5,0.5\n");
        var several = Path.Combine(copy, "ensemble-studies.csv");
        File.WriteAllText(several, $"{header},seg_t0,other_t0,oracle\n0,test,a.png,union,0.5,0.5,0.5,0.5,0.5,0.5,0.5\n0,test,b.png,union,0.5,0.5\n");
        var ensemble = Path.Combine(copy, "ensemble.csv");
        File.WriteAllText(ensemble, "outer_fold,set,image\n");

        var html = new DashboardRenderer(StudyRun.Load(copy)).StudyPage(new ServedLinks("seg"));
        string Problem(string id)
        {
            var p = Element(html, "p", id);
            return System.Net.WebUtility.HtmlDecode(p[(p.IndexOf('>') + 1)..^"</p>".Length]);
        }
        Assert.Equal($"{external}:3: column 'union' is not a number", Problem("ensemble-external-problem"));
        Assert.Equal($"{several}:3: 6 fields where the header line has 11", Problem("ensemble-studies-problem"));
        Assert.Equal($"{ensemble}: header column 4 is not 'chosen_rule'", Problem("ensemble-problem"));
        Assert.DoesNotContain("SECRET-7", html);
        Assert.DoesNotContain("ensemble-external-table", html);
        Assert.DoesNotContain("ensemble-studies-table", html);
        Assert.Contains("id=\"leaderboard\"", html);
    }

    [Fact]
    public async Task The_exported_gallery_filter_shows_only_missed_lesions_or_false_detections_and_then_all_again()
    {
        var study = studies.Segmentation;
        var (page, requests) = await _browser!.NewPage();
        await page.GotoAsync(new Uri(study.Html).AbsoluteUri + "#model-o0-refit", new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        var gallery = page.Locator("#gallery-model-o0-refit");
        var total = SegPredictions(study.RunDir, "o0/refit").Count(r => r.Set == "test");
        Assert.Equal(total, await gallery.Locator("figure:visible").CountAsync());
        await page.WaitForFunctionAsync("() => Array.from(document.querySelectorAll('#gallery-model-o0-refit img')).every(i => i.complete)");
        Assert.All(await gallery.Locator("img").EvaluateAllAsync<int[]>("imgs => imgs.map(i => i.naturalWidth)"), w => Assert.Equal(Size, w));

        var outcomes = await gallery.Locator("figure").EvaluateAllAsync<string[]>("fs => fs.map(f => f.dataset.outcome)");
        var filter = page.Locator(".filter[data-gallery='gallery-model-o0-refit']");
        foreach (var shown in new[] { "missed", "false-detection" })
        {
            var button = filter.Locator($"button[data-filter='{shown}']");
            await button.ClickAsync();
            Assert.Equal("true", await button.GetAttributeAsync("aria-pressed"));
            var visible = await gallery.Locator("figure:visible").EvaluateAllAsync<string[]>("fs => fs.map(f => f.dataset.outcome)");
            Assert.Equal(outcomes.Count(o => o == shown), visible.Length);
            Assert.All(visible, o => Assert.Equal(shown, o));
            if (visible.Length > 0) await gallery.ScreenshotAsync(new LocatorScreenshotOptions { Path = Browser.Screenshot($"segmentation-{shown}.png") });
        }
        Assert.True(outcomes.Count(o => o is "missed" or "false-detection") < total, "every case missed or falsely detected: the filter hides nothing");
        await filter.Locator("button[data-filter='all']").ClickAsync();
        Assert.Equal(total, await gallery.Locator("figure:visible").CountAsync());
        await page.Locator("#model-o0-refit").ScreenshotAsync(new LocatorScreenshotOptions { Path = Browser.Screenshot("segmentation-model-o0-refit.png") });
        Assert.All(requests, url => Assert.True(url.StartsWith("file:", StringComparison.Ordinal) || url.StartsWith("data:", StringComparison.Ordinal), $"requested {url}"));
    }

}
