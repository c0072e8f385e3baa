using System.Globalization;
using Microsoft.Playwright;
using Nachos.Actors.Registry;
using Nachos.Host.Application;
using Nachos.Host.Dashboard;
using Nachos.Shared.Bundle;
using Nachos.Shared.Predictions;
using Nachos.Shared.Registry;
using Nachos.Shared.Spec;
using Nachos.Tests;
using ModelEvaluation = Nachos.Shared.Registry.ModelEvaluation;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// The models page's per-site columns in a real headless Chromium: models registered in a real SQLite registry, one of
/// them evaluated on predictions with a <c>site</c> column; the page shows the ranking's metric per site.
/// </summary>
public sealed class DashboardSiteColumnsTests : IAsyncLifetime
{
    private static readonly string[] Classes = ["normal", "lesion"];
    private Browser? _browser;

    public async Task InitializeAsync() => _browser = await Browser.Launch();

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
    }

    /// <summary>Twelve images; with <paramref name="sites"/>, the first six from hospital-a and the rest from hospital-b.</summary>
    private static ModelEvaluation Evaluation(double[] p, bool sites)
    {
        int[] truth = [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1];
        var rows = truth.Select((y, i) => new PredictionRow($"img{i}", "predict", [y], [1 - p[i], p[i]],
            sites ? new Dictionary<string, string> { [SiteMetrics.Column] = i < 6 ? "hospital-a" : "hospital-b" } : null)).ToList();
        return ModelEvaluation.Of("eval.csv", "eval", TaskKind.Binary, Classes,
            new PredictionsTable(Classes, sites ? [SiteMetrics.Column] : [], rows), 0.5);
    }

    [Fact]
    public async Task The_models_page_has_a_column_per_site_with_each_models_metric_on_that_sites_images()
    {
        using var dir = new TempDir();
        var store = RegistryStore.Sqlite(dir.File("journal.db"));
        double[] withSites = [0.9, 0.2, 0.35, 0.8, 0.4, 0.1, 0.6, 0.7, 0.3, 0.55, 0.25, 0.65];
        double[] without = [0.8, 0.3, 0.7, 0.6, 0.2, 0.4, 0.9, 0.1, 0.6, 0.3, 0.2, 0.7];
        foreach (var (evaluation, i) in new[] { Evaluation(withSites, true), Evaluation(without, false) }.Select((e, i) => (e, i)))
            store.Register(new RegistryStore.NewModel("sites", new string((char)('a' + i), 64), TaskKind.Binary, Classes, "study", $"study/o{i}/refit", i,
                DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow, "tester", evaluation, new ExpectedPerformance("test", 3, true, [])), v => dir.File($"v{v}.zip"));

        var view = new CampaignRegistry(dir.Path, null).Task("sites", "auroc");
        Assert.Null(view.Refusal);
        var html = dir.File("models.html");
        File.WriteAllText(html, PageRenderer.Render<RegistryTaskPage>(new Dictionary<string, object?> { [nameof(RegistryTaskPage.View)] = view.Value }));

        var (page, _) = await _browser!.NewPage();
        await page.GotoAsync(new Uri(html).AbsoluteUri);
        await page.Locator("#models").ScreenshotAsync(new LocatorScreenshotOptions { Path = Browser.Screenshot("models-sites.png") });
        Assert.Equal(["AUROC at hospital-a", "AUROC at hospital-b"], await page.Locator("#models th.site").AllInnerTextsAsync());
        // Model 1's sites: AUROC 8/9 and 5/9 (scipy.stats.mannwhitneyu's U over n1·n0 on each site's six images).
        var first = page.Locator("#models tr[data-model='1']");
        Assert.Equal(0.8888888888888888, Number(await first.Locator("td[data-site='hospital-a']").GetAttributeAsync("data-value")), 12);
        Assert.Equal(0.5555555555555556, Number(await first.Locator("td[data-site='hospital-b']").GetAttributeAsync("data-value")), 12);
        Assert.Equal("0.889", await first.Locator("td[data-site='hospital-a']").InnerTextAsync());
        // Model 2 was evaluated without sites: its site cells are empty.
        var second = page.Locator("#models tr[data-model='2']");
        Assert.Equal(["–", "–"], await second.Locator("td.site").AllInnerTextsAsync());
    }

    private static double Number(string? text) => double.Parse(text!, CultureInfo.InvariantCulture);
}
