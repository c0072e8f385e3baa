using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Nachos.Host.Dashboard;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using static Nachos.EndToEnd.Tests.StudyFiles;

namespace Nachos.EndToEnd.Tests;

/// <summary>Grad-CAM overlays in the gallery of a TorchSharp model's page, their cache in the task folder, and the feature map.</summary>
[Collection(FinishedStudiesCollection.Name)]
public sealed class DashboardGradCamTests(FinishedStudies studies) : IAsyncLifetime
{
    private Browser? _browser;

    public async Task InitializeAsync() => _browser = await Browser.Launch();

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
    }

    [Fact]
    public async Task The_exported_model_section_shows_one_decoded_heatmap_per_gallery_case_for_the_predicted_class()
    {
        var study = studies.Torch;
        var (page, requests) = await _browser!.NewPage();
        await page.GotoAsync(new Uri(study.Html).AbsoluteUri + "#model-o0-refit", new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        var figures = page.Locator("#gallery-model-o0-refit figure");
        var rows = Predictions(study.RunDir, "o0/refit").Where(r => r.Set == "test").ToDictionary(r => r.SampleId);
        Assert.Equal(Math.Min(rows.Count, ModelSection.GalleryCases), await figures.CountAsync());
        await page.WaitForFunctionAsync("() => Array.from(document.querySelectorAll('#gallery-model-o0-refit img')).every(i => i.complete)");
        var shown = await figures.EvaluateAllAsync<string[][]>(
            "fs => fs.map(f => [f.dataset.sample, String(f.querySelectorAll('img.gradcam').length), f.querySelector('img.gradcam')?.dataset.class ?? '', String(f.querySelector('img.gradcam')?.naturalWidth ?? 0)])");
        Assert.All(shown, f =>
        {
            Assert.Equal("1", f[1]); // one heatmap per case
            Assert.Equal(rows[f[0]].PLesion >= 0.5 ? "lesion" : "normal", f[2]);
            Assert.Equal("32", f[3]); // decoded, at the model's input size
        });
        var first = page.Locator("#gallery-model-o0-refit img.gradcam").First;
        await first.ScrollIntoViewIfNeededAsync();
        Assert.True(await first.IsVisibleAsync());
        Assert.True(await page.Locator("#gradcam-legend-model-o0-refit").IsVisibleAsync());
        Assert.Equal(0, await page.Locator("#gradcam-unavailable-model-o0-refit").CountAsync());
        await page.Locator("#gallery-model-o0-refit").ScreenshotAsync(new LocatorScreenshotOptions { Path = Browser.Screenshot("gradcam-o0-refit.png") });
        // The export's feature map: the t-SNE map drawn beside the PCA one.
        var pcaMap = page.Locator("#featuremap-model-o0-refit");
        var tsneMap = page.Locator("#featuremap-tsne-model-o0-refit");
        await tsneMap.ScrollIntoViewIfNeededAsync();
        Assert.True(await pcaMap.IsVisibleAsync());
        Assert.True(await tsneMap.IsVisibleAsync());
        var (pcaBox, tsneBox) = (await pcaMap.BoundingBoxAsync(), await tsneMap.BoundingBoxAsync());
        Assert.Equal(pcaBox!.Y, tsneBox!.Y);
        Assert.True(tsneBox.X > pcaBox.X + pcaBox.Width / 2, $"t-SNE map at x {tsneBox.X}, PCA map at x {pcaBox.X}");
        // A dot per test case, a ring on each wrong prediction's dot, no text over the data.
        var wrong = rows.Values.Count(r => (r.PLesion >= 0.5) != (r.Truth == "lesion"));
        var plot = Assert.Single(await PlotLayout.Measure(page, "svg#featuremap-tsne-model-o0-refit"));
        var dots = plot.Markers.Where(m => m[3] == 1).ToList();
        var rings = plot.Markers.Where(m => m[3] == 0).ToList();
        Assert.Equal(rows.Count, dots.Count);
        Assert.Equal(wrong, rings.Count);
        Assert.All(rings, r => Assert.Contains(dots, d => Math.Abs(d[0] - r[0]) < 0.5 && Math.Abs(d[1] - r[1]) < 0.5));
        Assert.True(plot.OverData.Length == 0, $"text over the data: {string.Join(", ", plot.OverData)}");
        await page.Locator("#featuremap-tsne-model-o0-refit").ScreenshotAsync(new LocatorScreenshotOptions { Path = Browser.Screenshot("featuremap-tsne-o0-refit.png") });
        Assert.All(requests, url => Assert.True(url.StartsWith("file:", StringComparison.Ordinal) || url.StartsWith("data:", StringComparison.Ordinal), $"requested {url}"));
    }

    [Fact]
    public void Heatmaps_are_computed_for_the_cases_shown_only_cached_in_the_task_folder_and_read_back()
    {
        using var dir = new TempDir();
        var runDir = Path.Combine(dir.Path, "run");
        CopyRunWithoutGradCams(studies.Torch.RunDir, runDir);
        var key = TaskAddress.Refit("tiny", 1);
        var taskDir = RunLayout.TaskDirectory(runDir, key);
        var cache = Path.Combine(taskDir, RunLayout.GradCam);

        var html = new DashboardRenderer(StudyRun.Load(runDir)).ModelPage(key, new ServedLinks("tiny"));
        var gallery = Element(html, "div", $"gallery-{key.Anchor}");
        var cases = Regex.Matches(gallery, "<figure[^>]*data-sample=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        var tested = Predictions(runDir, "o1/refit").Count(r => r.Set == "test");
        Assert.True(tested > cases.Count, $"the fixture should have more test cases ({tested}) than the gallery shows ({cases.Count})");
        var heatmaps = Regex.Matches(gallery, "<img class=\"gradcam\" src=\"data:image/png;base64,([^\"]+)\"").Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
        Assert.Equal(cases.Count, heatmaps.Count);
        var files = Directory.GetFiles(cache);
        Assert.Equal(cases.Count, files.Length); // one per case shown, no temporary left behind
        Assert.All(files, f => Assert.EndsWith(".png", f));
        Assert.Equal(heatmaps.Order(StringComparer.Ordinal), files.Select(f => Convert.ToBase64String(File.ReadAllBytes(f))).Order(StringComparer.Ordinal));

        // A second page (a new process's view of the run directory) reads them back unchanged.
        var written = files.ToDictionary(f => f, File.GetLastWriteTimeUtc);
        var again = new DashboardRenderer(StudyRun.Load(runDir)).ModelPage(key, new ServedLinks("tiny"));
        Assert.Equal(gallery, Element(again, "div", $"gallery-{key.Anchor}"));
        Assert.All(written, w => Assert.Equal(w.Value, File.GetLastWriteTimeUtc(w.Key)));

        // A model without its weights: the page says so and writes nothing.
        var other = TaskAddress.Refit("tiny", 0);
        var otherDir = RunLayout.TaskDirectory(runDir, other);
        File.Delete(RunLayout.ModelPath(otherDir));
        var missing = new DashboardRenderer(StudyRun.Load(runDir)).ModelPage(other, new ServedLinks("tiny"));
        Assert.DoesNotContain("class=\"gradcam\"", missing);
        Assert.Contains("model.pt is missing", Element(missing, "p", $"gradcam-unavailable-{other.Anchor}"));
        Assert.Contains("has no final model", Element(missing, "p", $"featuremap-unavailable-{other.Anchor}"));
        Assert.False(Directory.Exists(Path.Combine(otherDir, RunLayout.GradCam)));
    }

    [Fact]
    public void A_torch_model_page_maps_the_features_of_every_test_case_by_label_and_site_and_rings_its_errors()
    {
        var study = studies.Torch;
        var key = TaskAddress.Refit("tiny", 0);
        var html = new DashboardRenderer(StudyRun.Load(study.RunDir)).ModelPage(key, new ServedLinks("tiny"));
        var rows = Predictions(study.RunDir, "o0/refit").Where(r => r.Set == "test").ToList();
        var wrong = rows.Count(r => (r.PLesion >= 0.5) != (r.Truth == "lesion"));
        Assert.Contains($"<div class=\"plots\" data-cases=\"{rows.Count}\" data-wrong=\"{wrong}\" data-tsne-cases=\"{rows.Count}\"><svg id=\"featuremap-{key.Anchor}\"", html);
        Assert.Contains("% of variance)", html);
        // Next to it, the t-SNE map of the same cases, coloured and ringed the same way.
        var pca = Element(html, "svg", $"featuremap-{key.Anchor}");
        var tsne = Element(html, "svg", $"featuremap-tsne-{key.Anchor}");
        Assert.Contains("t-SNE (perplexity ", tsne);
        foreach (var map in new[] { pca, tsne })
        {
            Assert.Contains($"truth: lesion ({rows.Count(r => r.Truth == "lesion")})", map);
            Assert.Contains($"truth: normal ({rows.Count(r => r.Truth == "normal")})", map);
            if (wrong > 0) Assert.Contains($"ringed: wrong prediction ({wrong})", map);
        }
        Assert.Contains("distances between clusters", Element(html, "p", $"featuremap-tsne-note-{key.Anchor}"));
        // The synthetic data's two sites: the same map coloured by site.
        var sites = File.ReadAllLines(Path.Combine(Path.GetDirectoryName(study.RunDir)!, "data", "manifest.csv")).Skip(1)
            .Select(l => l.Split(',')).ToDictionary(f => f[0], f => f[4]);
        foreach (var map in new[] { Element(html, "svg", $"featuremap-site-{key.Anchor}"), Element(html, "svg", $"featuremap-tsne-site-{key.Anchor}") })
            foreach (var site in rows.GroupBy(r => sites[r.SampleId]))
                Assert.Contains($"site: {site.Key} ({site.Count()})", map);
        Assert.DoesNotContain($"featuremap-unavailable-{key.Anchor}", html);
    }

    [Fact]
    public void A_simulated_studys_model_page_has_no_heatmap_and_says_why()
    {
        var study = studies.Simulated;
        var key = TaskAddress.Refit("sim", 0);
        var html = new DashboardRenderer(StudyRun.Load(study.RunDir)).ModelPage(key, new ServedLinks("sim"));
        Assert.DoesNotContain("class=\"gradcam\"", html);
        Assert.Contains("trainer is simulated", Element(html, "p", $"gradcam-unavailable-{key.Anchor}"));
        Assert.Contains("trainer is simulated", Element(html, "p", $"featuremap-unavailable-{key.Anchor}"));
        Assert.DoesNotContain("<svg id=\"featuremap-", html); // neither PCA nor t-SNE
        Assert.False(Directory.Exists(Path.Combine(RunLayout.TaskDirectory(study.RunDir, key), RunLayout.GradCam)));
    }

    private static void CopyRunWithoutGradCams(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.Split(Path.DirectorySeparatorChar).Contains(RunLayout.GradCam) || Path.GetFileName(file).StartsWith("journal.db", StringComparison.Ordinal)) continue;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, relative))!);
            File.Copy(file, Path.Combine(to, relative));
        }
    }
}
