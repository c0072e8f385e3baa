using Microsoft.Playwright;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// Debian's headless Chromium driven by Playwright (never a downloaded browser), with the flags this machine's
/// closed network needs. Fails when /usr/bin/chromium is missing. Screenshots go to screenshots/ in the test output folder.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    private const string Chromium = "/usr/bin/chromium";
    public static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");

    private readonly IPlaywright _playwright;
    private readonly IBrowser _chromium;

    private Browser(IPlaywright playwright, IBrowser chromium)
    {
        _playwright = playwright;
        _chromium = chromium;
    }

    public static async Task<Browser> Launch()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} not found: the browser tests need Debian's chromium (apt-get install -y chromium)");
        var playwright = await Playwright.CreateAsync();
        var chromium = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        Directory.CreateDirectory(Screenshots);
        return new Browser(playwright, chromium);
    }

    /// <summary>A new page that records every URL it requests.</summary>
    public async Task<(IPage Page, List<string> Requests)> NewPage()
    {
        var page = await _chromium.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var requests = new List<string>();
        page.Request += (_, r) => requests.Add(r.Url);
        return (page, requests);
    }

    public static string Screenshot(string name) => Path.Combine(Screenshots, name);

    /// <summary>
    /// Waits until <paramref name="page"/> is at <paramref name="url"/>, without Playwright's <c>WaitForURLAsync</c>: after the
    /// navigation that one also waits for the new page's load event on the client, checking whether it came and then
    /// subscribing to it, and a load event that comes in between is missed (a 30-s timeout with only "NetworkIdle event
    /// fired" in its log). Wait for the page's content afterwards with a locator, which waits for it.
    /// </summary>
    public static Task At(IPage page, string url, float? timeout = null) =>
        Assertions.Expect(page).ToHaveURLAsync(url, new PageAssertionsToHaveURLOptions { Timeout = timeout ?? 30_000 });

    public async ValueTask DisposeAsync()
    {
        await _chromium.CloseAsync();
        _playwright.Dispose();
    }
}
