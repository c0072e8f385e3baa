using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Nachos.Host.Contract;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// The served dashboard's login form, navigation, nodes page and error answers, over real HTTP against a real
/// <c>nachos node</c> (<see cref="ApiNode"/>), and in a real headless Chromium (<see cref="Browser"/>).
/// </summary>
public sealed class DashboardNavigationTests(ApiNode node) : IClassFixture<ApiNode>
{
    /// <summary>What Chromium sends when it navigates to a page.</summary>
    private const string BrowserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8";

    private (HttpClient Http, CookieContainer Cookies) BrowserLike()
    {
        var cookies = new CookieContainer();
        var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = node.Url };
        http.DefaultRequestHeaders.Accept.ParseAdd(BrowserAccept);
        return (http, cookies);
    }

    private static FormUrlEncodedContent Form(string token, string? next) =>
        new(next is null ? [new("token", token)] : [new("token", token), new("next", next)]);

    [Fact]
    public async Task The_login_form_returns_to_the_page_asked_for_and_refuses_a_next_that_leaves_the_site()
    {
        var (browser, cookies) = BrowserLike();
        using var _ = browser;

        // A page asked for without the token: 401, and the login form that leads back to it.
        using var refused = await browser.GetAsync("/nodes?x=1");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("text/html", refused.Content.Headers.ContentType?.MediaType);
        var form = await refused.Content.ReadAsStringAsync();
        Assert.Contains("<form method=\"post\" action=\"/login\" id=\"login\">", form);
        Assert.Contains("name=\"next\" value=\"/nodes?x=1\"", form);
        Assert.DoesNotContain("<nav", form); // no navigation before the login: every link would be refused

        // A wrong token: the form again, still leading to the page, the token not written back.
        const string wrong = "not-the-token-0123456789";
        using var bad = await browser.PostAsync("/login", Form(wrong, "/nodes?x=1"));
        Assert.Equal(HttpStatusCode.Unauthorized, bad.StatusCode);
        var badPage = await bad.Content.ReadAsStringAsync();
        Assert.Contains("id=\"login-error\"", badPage);
        Assert.Contains("name=\"next\" value=\"/nodes?x=1\"", badPage);
        Assert.DoesNotContain(wrong, badPage);
        Assert.Empty(cookies.GetCookies(node.Url));

        // Targets off the site are refused before the token is even looked at, by the form and the one-link login alike.
        foreach (var next in new[] { "https://evil.example/", "//evil.example/x", "/\\evil.example", "http:/evil", "nodes", "/%0d%0aLocation: x" .Replace("%0d%0a", "\r\n") })
        {
            using var post = await browser.PostAsync("/login", Form(node.Token, next));
            Assert.True(post.StatusCode == HttpStatusCode.BadRequest, $"next {next}: {(int)post.StatusCode}");
            Assert.Null(post.Headers.Location);
            Assert.DoesNotContain(node.Token, await post.Content.ReadAsStringAsync());
            using var get = await browser.GetAsync($"/login?token={node.Token}&next={Uri.EscapeDataString(next)}");
            Assert.True(get.StatusCode == HttpStatusCode.BadRequest, $"GET next {next}: {(int)get.StatusCode}");
            Assert.Null(get.Headers.Location);
            using var page = await browser.GetAsync($"/login?next={Uri.EscapeDataString(next)}");
            Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        }
        Assert.Empty(cookies.GetCookies(node.Url));

        // A page asked for with a wrong token in its link: the form keeps the page and the rest of its query, never the token.
        using (var withToken = await browser.GetAsync("/nodes?token=not-the-campaign-secret&x=2"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, withToken.StatusCode);
            var asked = await withToken.Content.ReadAsStringAsync();
            Assert.DoesNotContain("not-the-campaign-secret", asked);
            Assert.Contains("/nodes?x=2", asked);
        }

        // Another site's page posting the form is refused like any cross-origin POST.
        using var forged = new HttpRequestMessage(HttpMethod.Post, "/login") { Content = Form(node.Token, "/") };
        forged.Headers.TryAddWithoutValidation("Origin", "http://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, (await browser.SendAsync(forged)).StatusCode);
        Assert.Empty(cookies.GetCookies(node.Url));

        // The right token: 303 to the page asked for, with the cookie that opens it.
        using var login = await browser.PostAsync("/login", Form(node.Token, "/nodes?x=1"));
        Assert.Equal(HttpStatusCode.SeeOther, login.StatusCode);
        Assert.Equal("/nodes?x=1", login.Headers.Location?.OriginalString);
        Assert.DoesNotContain(node.Token, await login.Content.ReadAsStringAsync());
        Assert.True(Assert.Single(cookies.GetCookies(node.Url)).HttpOnly);
        using var nodes = await browser.GetAsync("/nodes?x=1");
        Assert.Equal(HttpStatusCode.OK, nodes.StatusCode);
        Assert.Contains("<h1>Nodes</h1>", await nodes.Content.ReadAsStringAsync());

        // Without next: the studies page.
        var (other, _) = BrowserLike();
        using var __ = other;
        using var plain = await other.PostAsync("/login", Form(node.Token, null));
        Assert.Equal("/", plain.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Errors_are_pages_for_browsers_and_problem_json_for_api_clients()
    {
        var (browser, _) = BrowserLike();
        using var __ = browser;
        using var api = node.Client(node.Token);
        api.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        using var bare = node.Client(node.Token); // no Accept at all (curl sends */*): problem JSON
        var cases = new (string Path, HttpStatusCode Status, string Detail)[]
        {
            ("/studies/no-such-study", HttpStatusCode.NotFound, "no study &#x27;no-such-study&#x27;"),
            ("/no/such/page", HttpStatusCode.NotFound, ""),
            ("/compare?studies=one", HttpStatusCode.BadRequest, "at least two study ids"),
            ("/models/no-such-task", HttpStatusCode.NotFound, "no model registered under task"),
            ("/api/studies/no-such-study", HttpStatusCode.NotFound, "no study"),
        };
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync($"/login?token={node.Token}")).StatusCode);
        foreach (var (path, status, detail) in cases)
        {
            using var page = await browser.GetAsync(path);
            Assert.True(page.StatusCode == status, $"{path}: {(int)page.StatusCode}");
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            var html = await page.Content.ReadAsStringAsync();
            Assert.Contains($"<h1 id=\"status\">{(int)status} ", html);
            Assert.Contains(detail, html);
            Assert.Contains("<nav class=\"site\"", html);

            foreach (var client in new[] { api, bare })
            {
                using var json = await client.GetAsync(path.TrimStart('/'));
                Assert.True(json.StatusCode == status, $"{path}: {(int)json.StatusCode}");
                Assert.Equal("application/problem+json", json.Content.Headers.ContentType?.MediaType);
                var problem = await json.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
                Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
            }
        }

        // 401: the login form for a browser, problem JSON for a program.
        using var anonymous = node.Client(null);
        anonymous.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        using var unauthorized = await anonymous.GetAsync("studies/x");
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal("application/problem+json", unauthorized.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Bearer", unauthorized.Headers.WwwAuthenticate.Single().Scheme);
        anonymous.DefaultRequestHeaders.Accept.Clear();
        anonymous.DefaultRequestHeaders.Accept.ParseAdd(BrowserAccept);
        using var loginPage = await anonymous.GetAsync("studies/x");
        Assert.Equal(HttpStatusCode.Unauthorized, loginPage.StatusCode);
        Assert.Contains("name=\"next\" value=\"/studies/x\"", await loginPage.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_nodes_page_shows_the_members_their_devices_and_the_task_each_device_runs()
    {
        Assert.Equal(HttpStatusCode.Created, (await node.Submit(ApiNode.Spec("busy", 1.0))).StatusCode);
        await node.WaitFor("busy", s => s.Progress.Running > 0, TimeSpan.FromMinutes(1));
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (true)
        {
            // The page and the API read the same cluster state; a task may end between the two reads, so compare until they agree.
            var nodes = (await node.Http.GetFromJsonAsync<NodeList>("api/nodes", ApiJson.Options))!;
            var html = await node.Http.GetStringAsync("nodes");
            var member = Assert.Single(nodes.Nodes);
            Assert.Contains($"<tr data-node=\"{member.Address}\">", html);
            Assert.Contains("(this node)", html);
            Assert.Equal(2, member.Devices.Count);
            foreach (var d in member.Devices) Assert.Contains($"data-device=\"{d.Name}\"", html);
            var tasks = member.Devices.Where(d => d.Task is not null).Select(d => d.Task!).ToList();
            if (tasks.Count > 0 && tasks.All(t => html.Contains($"<a href=\"/studies/busy\"><code>{t}</code></a>", StringComparison.Ordinal))) break;
            Assert.True(DateTime.UtcNow < deadline, $"the nodes page never showed the running tasks {string.Join(", ", tasks)}\n{html}");
            await Task.Delay(200);
        }
        Assert.Equal(HttpStatusCode.OK, (await node.Http.PostAsJsonAsync("api/studies/busy/cancel", new { })).StatusCode);
    }

    [Fact]
    public async Task In_chromium_the_login_lands_on_the_page_asked_for_and_the_navigation_links_open_every_section()
    {
        await using var chromium = await Browser.Launch();
        var (page, requests) = await chromium.NewPage();
        var asked = new Uri(node.Url, "/nodes").AbsoluteUri;
        var response = await page.GotoAsync(asked);
        Assert.Equal(401, response!.Status);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.Screenshot("served-login.png") });
        await page.FillAsync("#token", node.Token);
        await page.ClickAsync("#login button[type=submit]");
        await Browser.At(page, asked);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Nodes");
        Assert.DoesNotContain(node.Token, await page.ContentAsync());

        foreach (var (link, path, heading) in new[] { ("Models", "/models", "Models"), ("Studies", "/", "Studies"), ("Nodes", "/nodes", "Nodes") })
        {
            await page.Locator("nav.site").GetByRole(AriaRole.Link, new() { Name = link, Exact = true }).ClickAsync();
            await Browser.At(page, new Uri(node.Url, path).AbsoluteUri);
            await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync(heading);
            Assert.Equal("page", await page.Locator("nav.site a[aria-current=page]").GetAttributeAsync("aria-current"));
            Assert.Equal(link, await page.Locator("nav.site a[aria-current=page]").InnerTextAsync());
        }
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Browser.Screenshot("served-nodes.png"), FullPage = true });

        // A 404 in the browser is a page with the same navigation, whose links work.
        var missing = await page.GotoAsync(new Uri(node.Url, "/studies/no-such-study").AbsoluteUri);
        Assert.Equal(404, missing!.Status);
        Assert.StartsWith("404", await page.Locator("h1").InnerTextAsync());
        await page.Locator("nav.site").GetByRole(AriaRole.Link, new() { Name = "Models", Exact = true }).ClickAsync();
        await Browser.At(page, new Uri(node.Url, "/models").AbsoluteUri);
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Models");
        Assert.All(requests, url => Assert.StartsWith(node.Url.GetLeftPart(UriPartial.Authority), url));
    }
}
