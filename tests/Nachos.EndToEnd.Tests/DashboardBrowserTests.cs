using System.Globalization;
using Microsoft.Playwright;
using static Nachos.EndToEnd.Tests.StudyFiles;

namespace Nachos.EndToEnd.Tests;

/// <summary>The exported report opened in a real headless Chromium (<see cref="Browser"/>): what a person sees and clicks.</summary>
[Collection(FinishedStudiesCollection.Name)]
public sealed class DashboardBrowserTests(FinishedStudies studies) : IAsyncLifetime
{
    private Browser? _browser;

    public async Task InitializeAsync() => _browser = await Browser.Launch();

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
    }

    private async Task<(IPage Page, List<string> Requests)> Open(string html, string fragment = "")
    {
        var (page, requests) = await _browser!.NewPage();
        await page.GotoAsync(new Uri(html).AbsoluteUri + fragment, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        return (page, requests);
    }

    private static Task<string[][]> LeaderboardRows(IPage page) => page.EvaluateAsync<string[][]>(
        "() => Array.from(document.querySelectorAll('#leaderboard tbody tr')).map(r => [r.dataset.model, r.querySelector('td[data-metric=auroc]').dataset.value])");

    [Fact]
    public async Task The_exported_study_shows_report_json_in_its_fold_table_and_the_leaderboard_sorts_by_a_clicked_header()
    {
        var study = studies.Simulated;
        using var report = Report(study.RunDir);
        var (page, requests) = await Open(study.Html);

        Assert.Equal("complete", await page.Locator("#state").InnerTextAsync());
        await page.Locator("#study").ScreenshotAsync(new LocatorScreenshotOptions { Path = Browser.Screenshot("study.png") });
        foreach (var fold in report.RootElement.GetProperty("folds").EnumerateArray())
        {
            var row = page.Locator($"#folds tr[data-fold='{fold.GetProperty("outer").GetInt32()}']");
            Assert.True(await row.IsVisibleAsync());
            foreach (var metric in fold.GetProperty("test_metrics").EnumerateObject())
                Assert.Equal(metric.Value.GetDouble().ToString("F3", CultureInfo.InvariantCulture), await row.Locator($"td[data-metric='{metric.Name}']").InnerTextAsync());
        }

        var before = await LeaderboardRows(page);
        var header = page.Locator("#leaderboard th[data-column='auroc']");
        await header.ClickAsync();
        Assert.Equal("descending", await header.GetAttributeAsync("aria-sort"));
        var expected = before.OrderBy(r => r[1] == "" ? 1 : 0).ThenByDescending(r => r[1] == "" ? 0 : Number(r[1])).Select(r => r[0]).ToList();
        var descending = await LeaderboardRows(page);
        Assert.Equal(expected, descending.Select(r => r[0]));
        Assert.NotEqual(before.Select(r => r[0]), descending.Select(r => r[0]));
        var best = before.Where(r => r[1] != "").Max(r => Number(r[1]));
        Assert.Equal(best.ToString("F3", CultureInfo.InvariantCulture), await page.Locator("#leaderboard tbody tr").First.Locator("td[data-metric='auroc']").InnerTextAsync());
        await page.Locator("#leaderboard").ScreenshotAsync(new LocatorScreenshotOptions { Path = Browser.Screenshot("leaderboard-by-auroc.png") });

        await header.ClickAsync();
        Assert.Equal("ascending", await header.GetAttributeAsync("aria-sort"));
        var ascending = before.OrderBy(r => r[1] == "" ? 1 : 0).ThenBy(r => r[1] == "" ? 0 : Number(r[1])).Select(r => r[0]).ToList();
        Assert.Equal(ascending, (await LeaderboardRows(page)).Select(r => r[0]));

        Assert.All(requests, url => Assert.True(url.StartsWith("file:", StringComparison.Ordinal) || url.StartsWith("data:", StringComparison.Ordinal), $"requested {url}"));
    }

    [Fact]
    public async Task A_model_section_shows_its_curves_roc_curve_confusion_matrix_and_case_images_that_decoded()
    {
        var study = studies.Torch;
        var (page, requests) = await Open(study.Html, "#model-o0-refit");
        var section = page.Locator("#model-o0-refit");

        Assert.True(await page.Locator("svg#validation-curves-o0").IsVisibleAsync());
        var roc = section.Locator("svg#roc-model-o0-refit");
        Assert.True(await roc.IsVisibleAsync());
        Assert.True((await roc.BoundingBoxAsync())!.Width > 200);
        Assert.True(await section.Locator("svg#loss-model-o0-refit").IsVisibleAsync());

        var expected = Confusion(Predictions(study.RunDir, "o0/refit").Where(r => r.Set == "test"));
        var shown = await section.Locator("#confusion-model-o0-refit-test tbody tr").EvaluateAllAsync<string[][]>(
            "rows => rows.map(r => Array.from(r.querySelectorAll('td')).map(c => c.innerText))");
        Assert.Equal(expected.Select(r => r.Select(v => v.ToString(CultureInfo.InvariantCulture))), shown);

        var images = section.Locator("#gallery-model-o0-refit img");
        var count = Predictions(study.RunDir, "o0/refit").Count(r => r.Set == "test");
        Assert.Equal(Math.Min(count, Host.Dashboard.ModelSection.GalleryCases), await images.CountAsync());
        await page.WaitForFunctionAsync("() => Array.from(document.querySelectorAll('#gallery-model-o0-refit img')).every(i => i.complete)");
        var widths = await images.EvaluateAllAsync<int[]>("imgs => imgs.map(i => i.naturalWidth)");
        Assert.All(widths, w => Assert.Equal(32, w)); // the synthetic images are 32×32: decoded, not broken
        await images.First.ScrollIntoViewIfNeededAsync();
        Assert.True(await images.First.IsVisibleAsync());

        await section.ScreenshotAsync(new LocatorScreenshotOptions { Path = Browser.Screenshot("model-o0-refit.png") });
        Assert.All(requests, url => Assert.True(url.StartsWith("file:", StringComparison.Ordinal) || url.StartsWith("data:", StringComparison.Ordinal), $"requested {url}"));
    }

    [Fact]
    public async Task Each_folds_search_plots_are_drawn_and_hovering_a_point_lands_on_the_trial_it_names()
    {
        var study = studies.Simulated;
        using var report = Report(study.RunDir);
        var (page, requests) = await Open(study.Html, "#search-o0");
        foreach (var fold in report.RootElement.GetProperty("folds").EnumerateArray())
        {
            var k = fold.GetProperty("outer").GetInt32();
            foreach (var id in new[] { $"search-trials-o{k}", $"search-param-o{k}-0", $"search-param-o{k}-1", $"search-parallel-o{k}", $"search-importance-o{k}" })
            {
                var plot = page.Locator($"svg#{id}");
                await plot.ScrollIntoViewIfNeededAsync();
                Assert.True(await plot.IsVisibleAsync(), id);
                Assert.True((await plot.BoundingBoxAsync())!.Width > 300, id);
            }
            Assert.Equal(fold.GetProperty("trials").GetArrayLength(), await page.Locator($"svg#search-trials-o{k} .trial[data-trial] > title").CountAsync());

            // The pointer over the chosen trial's point is on that point (not under a ring, a line or a legend): its title names it.
            var chosen = fold.GetProperty("chosen_trial").GetInt32();
            var point = page.Locator($"svg#search-trials-o{k} circle.trial.chosen");
            await point.HoverAsync();
            var hovered = await page.EvaluateAsync<string>("() => { const h = Array.from(document.querySelectorAll(':hover')).pop(); return h.dataset.trial + '|' + h.querySelector('title').textContent; }");
            Assert.StartsWith($"{chosen}|trial {chosen} (chosen): ", hovered);
        }
        await page.Locator("#search-o0").ScreenshotAsync(new LocatorScreenshotOptions { Path = Browser.Screenshot("search-o0.png") });
        Assert.All(requests, url => Assert.True(url.StartsWith("file:", StringComparison.Ordinal) || url.StartsWith("data:", StringComparison.Ordinal), $"requested {url}"));
    }
}
