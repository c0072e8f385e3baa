using System.Net;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Nachos.Host.Api;
using Nachos.Host.Contract;

namespace Nachos.EndToEnd.Tests;

/// <summary>The token guards every route but /api/health and /login, for the API and the served dashboard alike.</summary>
public sealed class ApiAuthTests(ApiNode node) : IClassFixture<ApiNode>
{
    /// <summary>Every (method, route pattern, anonymous?) the server maps, read from the app's own endpoint data source.</summary>
    private static IReadOnlyList<(string Method, string Pattern, bool Anonymous)> Routes()
    {
        var builder = WebApplication.CreateSlimBuilder();
        ApiServer.Configure(builder.Services);
        var app = builder.Build();
        ApiRoutes.Map(app);
        return ((IEndpointRouteBuilder)app).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Select(m =>
                (m, e.RoutePattern.RawText!, e.Metadata.GetMetadata<IAllowAnonymous>() is not null)))
            .ToList();
    }

    /// <summary>A concrete URL for a pattern: any value will do for the parameters, the token is checked first.</summary>
    private static string Url(string pattern) =>
        System.Text.RegularExpressions.Regex.Replace(pattern, @"\{\*\*[^}]+\}", "o0/refit/predictions.csv").Replace("{id}", "some-study").TrimStart('/');

    [Fact]
    public async Task Every_route_but_health_and_login_answers_401_with_a_problem_without_the_right_token()
    {
        var routes = Routes();
        Assert.True(routes.Count >= 17, $"only {routes.Count} routes found: {string.Join(", ", routes)}");
        Assert.Equal(["GET /api/health", "GET /login", "POST /login"], routes.Where(r => r.Anonymous).Select(r => $"{r.Method} {r.Pattern}").Order());

        using var anonymous = node.Client(null);
        using var wrong = node.Client(node.Token[..^1] + (node.Token[^1] == '0' ? '1' : '0'));
        foreach (var (method, pattern, isAnonymous) in routes.Where(r => !r.Anonymous).Append(("GET", "/no/such/route", false)))
        {
            foreach (var client in new[] { anonymous, wrong })
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), Url(pattern));
                if (method == "POST") request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
                using var response = await client.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {pattern}: {(int)response.StatusCode} without the right token");
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Contains("\"status\":401", await response.Content.ReadAsStringAsync());
            }
        }

        using var health = await anonymous.GetAsync("api/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Contains("\"status\":\"ok\"", await health.Content.ReadAsStringAsync());
        // The same routes answer with the token (here: the studies list).
        Assert.Equal(HttpStatusCode.OK, (await node.Http.GetAsync("api/studies")).StatusCode);
    }

    [Fact]
    public async Task The_token_file_is_private_and_login_puts_the_token_in_a_cookie_that_opens_the_dashboard()
    {
        Assert.True(OperatingSystem.IsLinux(), "these tests run the Linux build");
        if (OperatingSystem.IsLinux())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(node.Root, ApiToken.FileName)));
        Assert.Equal(64, node.Token.Length);

        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = node.Url };
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/login?token=nope")).StatusCode);
        Assert.Empty(cookies.GetCookies(node.Url));

        using var login = await browser.GetAsync($"/login?token={node.Token}");
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Equal("/", login.Headers.Location?.OriginalString);
        var cookie = Assert.Single(cookies.GetCookies(node.Url));
        Assert.True(cookie.HttpOnly);

        using var page = await browser.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<h1>Studies</h1>", await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/metrics")).StatusCode);
    }

    [Fact]
    public async Task A_page_of_another_origin_cannot_change_a_study_with_the_browsers_cookie()
    {
        Assert.Equal(HttpStatusCode.Created, (await node.Submit(ApiNode.Spec("forged", 0.5))).StatusCode);
        var cookies = new CookieContainer();
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = node.Url };
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync($"/login?token={node.Token}")).StatusCode);
        var other = $"http://{node.Url.Host}:{(node.Url.Port == 65535 ? 65534 : node.Url.Port + 1)}";

        async Task<HttpResponseMessage> Post(string path, HttpContent? body, params (string, string)[] headers)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body };
            foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
            return await browser.SendAsync(request);
        }

        // What an HTML form or a simple fetch() from another port of 127.0.0.1 can send without a preflight.
        var forgeries = new (string What, Func<Task<HttpResponseMessage>> Send)[]
        {
            ("form body, foreign origin", () => Post("api/studies/forged/cancel", new FormUrlEncodedContent([]), ("Origin", other))),
            ("text body, foreign origin", () => Post("api/studies/forged/cancel", new StringContent("{}", System.Text.Encoding.UTF8, "text/plain"), ("Origin", other))),
            ("empty body, no origin", () => Post("api/studies/forged/cancel", null)),
            ("form body, no origin, cross-site fetch metadata", () => Post("api/studies/forged/pause", new FormUrlEncodedContent([]), ("Sec-Fetch-Site", "same-site"))),
            ("JSON body, foreign origin", () => Post("api/studies/forged/cancel", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), ("Origin", other))),
            ("drain, foreign origin", () => Post("api/nodes/drain", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), ("Origin", other))),
            ("down, form body", () => Post("api/cluster/down", new FormUrlEncodedContent([]))),
        };
        foreach (var (what, send) in forgeries)
        {
            using var response = await send();
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.UnsupportedMediaType, $"{what}: {(int)response.StatusCode} {body}");
            Assert.Matches("cross-origin request refused|needs a JSON body", body);
        }
        var study = await node.Study("forged");
        Assert.NotEqual(StudyStates.Cancelled, study.State);
        Assert.NotEqual(StudyStates.Paused, study.State);

        // The dashboard's own origin with a JSON body, as a page of this server would send it, is accepted.
        using var own = await Post("api/studies/forged/cancel", new StringContent("{}", System.Text.Encoding.UTF8, "application/json"), ("Origin", $"http://{node.Url.Host}:{node.Url.Port}"));
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(StudyStates.Cancelled, (await node.WaitFor("forged", s => s.State == StudyStates.Cancelled, TimeSpan.FromSeconds(30))).State);
    }
}
