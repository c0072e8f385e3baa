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

        var images = section.Locator("#gallery-model-o0-refit img:not(.gradcam)");
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

    [Fact]
    public async Task The_table_of_contents_links_every_section_and_the_printed_page_keeps_every_leaderboard_column()
    {
        var (page, _) = await Open(studies.Simulated.Html);
        var sections = await page.EvaluateAsync<string[][]>("() => Array.from(document.querySelectorAll('h2[id]')).map(h => ['#' + h.id, h.textContent])");
        var links = await page.EvaluateAsync<string[][]>("() => Array.from(document.querySelectorAll('#toc a')).map(a => [a.getAttribute('href'), a.textContent])");
        Assert.True(sections.Length >= 5, $"{sections.Length} sections");
        Assert.Equal(sections.Select(s => string.Join("|", s)), links.Select(l => string.Join("|", l)));
        await page.Locator("#toc a[href='#leaderboard-title']").ClickAsync();
        Assert.EndsWith("#leaderboard-title", page.Url);

        // Printed on A4 (about 720 CSS px between the margins): the table wraps its cells instead of hiding columns.
        await page.SetViewportSizeAsync(720, 1000);
        await page.EmulateMediaAsync(new PageEmulateMediaOptions { Media = Media.Print });
        var overflow = await page.EvaluateAsync<string[]>(@"() => {
            const right = document.documentElement.clientWidth;
            return Array.from(document.querySelectorAll('#leaderboard th, #folds th')).filter(th => th.getBoundingClientRect().right > right + 0.5).map(th => th.textContent);
        }");
        Assert.Empty(overflow);
        var columns = await page.Locator("#leaderboard thead th").CountAsync();
        Assert.True(columns >= 8, $"{columns} leaderboard columns");
        Assert.False(await page.Locator(".filter").First.IsVisibleAsync());
        await page.PdfAsync(new PagePdfOptions { Path = Browser.Screenshot("study-printed.pdf"), Format = "A4" });
    }

    [Fact]
    public async Task The_leaderboard_pages_through_its_filtered_and_sorted_rows()
    {
        // The export with 5 rows a page instead of 50, so this study's 21 rows take five pages.
        var html = File.ReadAllText(studies.Simulated.Html);
        Assert.Contains($"data-page-size=\"{Nachos.Host.Dashboard.StudySection.LeaderboardPageSize}\"", html);
        var paged = Path.Combine(Path.GetTempPath(), $"nachos-paged-{Guid.NewGuid():N}.html");
        File.WriteAllText(paged, html.Replace($"data-page-size=\"{Nachos.Host.Dashboard.StudySection.LeaderboardPageSize}\"", "data-page-size=\"5\""));
        try
        {
            var (page, _) = await Open(paged);
            var rows = page.Locator("#leaderboard tbody tr");
            var all = await rows.CountAsync();
            var visible = page.Locator("#leaderboard tbody tr:not([hidden])");
            Assert.True(all > 10, $"{all} rows");
            Assert.Equal(5, await visible.CountAsync());
            Assert.Equal($"rows 1–5 of {all} (page 1 of {(all + 4) / 5})", await PagerText(page));
            var firstPage = await VisibleModels(page);

            await page.Locator("#leaderboard-pager button", new PageLocatorOptions { HasText = "next" }).ClickAsync();
            Assert.Equal($"rows 6–10 of {all} (page 2 of {(all + 4) / 5})", await PagerText(page));
            var secondPage = await VisibleModels(page);
            Assert.Empty(firstPage.Intersect(secondPage));
            Assert.Equal((await AllModels(page)).Skip(5).Take(5), secondPage);

            // A fold filter and a sort start again at the first page of what they leave.
            await page.Locator("#fold-filter button[data-fold='1']").ClickAsync();
            var foldRows = await page.Locator("#leaderboard tbody tr[data-fold='1']").CountAsync();
            Assert.Equal($"rows 1–5 of {foldRows} (page 1 of {(foldRows + 4) / 5})", await PagerText(page));
            Assert.All(await page.Locator("#leaderboard tbody tr:not([hidden])").EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.fold)"), f => Assert.Equal("1", f));
            await page.Locator("#leaderboard th[data-column='score']").ClickAsync();
            var sorted = (await AllModels(page)).Where(m => m.StartsWith("o1/")).Take(5).ToList();
            Assert.Equal(sorted, await VisibleModels(page));
            await page.Locator("#leaderboard").ScreenshotAsync(new LocatorScreenshotOptions { Path = Browser.Screenshot("leaderboard-paged.png") });

            // Printed: every row the filter keeps.
            await page.EvaluateAsync("() => dispatchEvent(new Event('beforeprint'))");
            Assert.Equal(foldRows, await visible.CountAsync());
            await page.EvaluateAsync("() => dispatchEvent(new Event('afterprint'))");
            Assert.Equal(5, await visible.CountAsync());
        }
        finally
        {
            File.Delete(paged);
        }
    }

    private static async Task<string> PagerText(IPage page) => (await page.Locator("#leaderboard-pager").InnerTextAsync()).Replace("previous", "").Replace("next", "").Trim();

    private static Task<string[]> VisibleModels(IPage page) => page.Locator("#leaderboard tbody tr:not([hidden])").EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.model)");

    private static Task<string[]> AllModels(IPage page) => page.Locator("#leaderboard tbody tr").EvaluateAllAsync<string[]>("rs => rs.map(r => r.dataset.model)");

    [Theory]
    [InlineData("simulated")]
    [InlineData("torch")]
    public async Task Plot_legends_sit_outside_the_data_and_proportion_axes_stay_within_zero_and_one(string which)
    {
        var (page, _) = await Open(which == "torch" ? studies.Torch.Html : studies.Simulated.Html);
        var plots = await PlotLayout.Measure(page, "svg#fold-metrics-plot, svg#reliability-plot, svg[id^=roc-], svg[id^=metrics-], svg[id^=validation-curves-]");
        Assert.Contains(plots, p => p.Id == "fold-metrics-plot");
        Assert.Contains(plots, p => p.Id.StartsWith("roc-"));
        if (which == "torch") Assert.Contains(plots, p => p.Id.StartsWith("metrics-"));
        foreach (var plot in plots)
        {
            Assert.True(plot.Area[2] - plot.Area[0] > 100 && plot.Area[3] - plot.Area[1] > 100, $"{plot.Id}: plotting area {string.Join(", ", plot.Area)}");
            Assert.True(plot.Texts > 4, $"{plot.Id}: {plot.Texts} texts");
            Assert.True(plot.OverData.Length == 0, $"{plot.Id}: text over the data: {string.Join(", ", plot.OverData)}");
            plot.AssertYWithinUnit();
            if (plot.Id.StartsWith("roc-") || plot.Id == "reliability-plot") plot.AssertXWithinUnit();
        }
    }
}
