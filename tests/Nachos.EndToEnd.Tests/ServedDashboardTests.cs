using Microsoft.Playwright;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// The dashboard a coordinator serves, in a real headless Chromium: log in with the token, watch a study
/// appear and run on the studies page and on its own page (both update their live part in place, without a
/// reload), then open the finished study's page and one of its model pages.
/// </summary>
public sealed class ServedDashboardTests(ApiNode node) : IClassFixture<ApiNode>, IAsyncLifetime
{
    private const float Minute = 60_000;
    private Browser? _browser;

    public async Task InitializeAsync() => _browser = await Browser.Launch();

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
    }

    [Fact]
    public async Task Studies_page_and_study_page_follow_a_running_study_live_then_show_its_leaderboard_and_model_pages()
    {
        var (page, requests) = await _browser!.NewPage();
        await page.GotoAsync(new Uri(node.Url, $"/login?token={node.Token}").AbsoluteUri);
        Assert.Equal(new Uri(node.Url, "/").AbsoluteUri, page.Url);
        Assert.Equal("Studies", await page.Locator("h1").InnerTextAsync());

        // Submitted after the page was loaded: only its own updates can show it, and they do not reload the page.
        // One second an epoch (about 40 s in all) so that the study is still running when its own page has loaded,
        // however slowly the browser gets there under the whole suite's load.
        await page.EvaluateAsync("() => { window.loadedOnce = true; }");
        Assert.Equal(System.Net.HttpStatusCode.Created, (await node.Submit(ApiNode.Spec("live", 1.0))).StatusCode);
        var row = page.Locator("#studies tr[data-study='live']");
        await row.Locator(".badge.running").WaitForAsync(new LocatorWaitForOptions { Timeout = Minute });
        Assert.True(await page.EvaluateAsync<bool>("() => window.loadedOnce === true"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.Screenshot("served-studies-running.png") });

        await row.Locator("a").ClickAsync();
        await Browser.At(page, new Uri(node.Url, "/studies/live").AbsoluteUri, Minute);
        // The running study's page: its outer folds' progress, then (after its own reloads) the finished study.
        await Assertions.Expect(page.Locator("#folds tbody tr")).ToHaveCountAsync(2, new LocatorAssertionsToHaveCountOptions { Timeout = Minute });
        Assert.Equal(1, await page.Locator("#state.running").CountAsync()); // still live: its fold table will change
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.Screenshot("served-study-running.png") });
        var first = await page.Locator("#folds").InnerTextAsync();
        await page.EvaluateAsync("() => { window.loadedOnce = true; }");
        await page.WaitForFunctionAsync("first => document.getElementById('folds')?.innerText !== first", first, new PageWaitForFunctionOptions { Timeout = Minute });
        Assert.True(await page.EvaluateAsync<bool>("() => window.loadedOnce === true"));
        // The trials so far, ranked within each fold, one column per hyperparameter (the spec searches the learning rate).
        await page.Locator("#trials tbody tr").First.WaitForAsync(new LocatorWaitForOptions { Timeout = Minute });
        Assert.Equal(["fold", "rank", "trial", "state", "splits"], (await page.Locator("#trials thead th").AllInnerTextsAsync()).Take(5));
        Assert.Equal(1, await page.Locator("#trials th[data-column='hp-learning_rate']").CountAsync());
        await page.Locator("#state.complete").WaitForAsync(new LocatorWaitForOptions { Timeout = 3 * Minute });
        // A live page can show the study complete (its report appeared while it was rendered) and load itself whole at its
        // next update; wait for the finished page, or that reload would cut off the click below.
        await page.WaitForFunctionAsync("() => !document.body.dataset.live", null, new PageWaitForFunctionOptions { Timeout = Minute });

        var leaderboard = page.Locator("#leaderboard tbody tr");
        await leaderboard.First.WaitForAsync();
        Assert.Equal(2 * (4 + 1), await leaderboard.CountAsync()); // every trial of both outer folds, and each fold's refit
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.Screenshot("served-study-complete.png"), FullPage = true });

        var refit = page.Locator("a[href='/studies/live/models/o1/refit']").First;
        await refit.ClickAsync();
        await Browser.At(page, new Uri(node.Url, "/studies/live/models/o1/refit").AbsoluteUri, Minute);
        await page.Locator("svg[id^='roc-']").First.WaitForAsync(new LocatorWaitForOptions { Timeout = Minute });
        Assert.True(await page.Locator("table[id^='confusion-']").First.IsVisibleAsync());
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.Screenshot("served-model-o1-refit.png"), FullPage = true });

        // Everything came from the node itself: no CDN, works offline.
        Assert.All(requests, url => Assert.StartsWith(node.Url.GetLeftPart(UriPartial.Authority), url));
    }

    [Fact]
    public async Task Without_the_token_the_browser_gets_no_dashboard()
    {
        var (page, _) = await _browser!.NewPage();
        var response = await page.GotoAsync(new Uri(node.Url, "/").AbsoluteUri);
        Assert.Equal(401, response!.Status);
        Assert.DoesNotContain("Studies", await page.ContentAsync());
    }
}
