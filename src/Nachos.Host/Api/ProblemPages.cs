using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Headers;
using Microsoft.Net.Http.Headers;
using Nachos.Host.Dashboard;

namespace Nachos.Host.Api;

/// <summary>
/// Refusals as pages for browsers: every problem the server answers (400, 401, 404, …, from the routes, the token
/// check and unknown paths alike) passes through the problem-details service, and this writer takes it when the
/// request's Accept header prefers text/html to JSON. A 401 is the login form, which comes back to the page asked
/// for; any other status an error page with the dashboard's navigation. Programs (Accept application/json,
/// application/problem+json, */* or none) keep the RFC 9457 problem document.
/// </summary>
public sealed class ProblemPages : IProblemDetailsWriter
{
    private const string Html = "text/html; charset=utf-8";

    public bool CanWrite(ProblemDetailsContext context) => PrefersHtml(context.HttpContext.Request.GetTypedHeaders().Accept);

    /// <summary>Whether text/html, named as such, has a quality above zero and at least that of JSON (a browser's navigation; not */*).</summary>
    public static bool PrefersHtml(IList<MediaTypeHeaderValue> accept)
    {
        double Quality(params string[] types) =>
            accept.Where(a => types.Any(t => a.MediaType.Equals(t, StringComparison.OrdinalIgnoreCase))).Select(a => a.Quality ?? 1).DefaultIfEmpty(0).Max();
        var html = Quality("text/html", "application/xhtml+xml");
        return html > 0 && html >= Quality("application/json", "application/problem+json");
    }

    public async ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var http = context.HttpContext;
        var status = context.ProblemDetails.Status ?? http.Response.StatusCode;
        var page = status == StatusCodes.Status401Unauthorized
            ? Login(await Next(http.Request), http.Request.Path == "/login" ? "That is not the campaign's token." : null)
            : PageRenderer.Render<ErrorPage>(new Dictionary<string, object?>
            {
                [nameof(ErrorPage.Status)] = status,
                [nameof(ErrorPage.Title)] = context.ProblemDetails.Title ?? ReasonPhrase(status),
                [nameof(ErrorPage.Detail)] = context.ProblemDetails.Detail,
            });
        http.Response.ContentType = Html;
        await http.Response.WriteAsync(page, http.RequestAborted);
    }

    public static string Login(string next, string? message) => PageRenderer.Render<LoginPage>(new Dictionary<string, object?>
    {
        [nameof(LoginPage.Next)] = next,
        [nameof(LoginPage.Message)] = message,
    });

    /// <summary>Where the login form leads: the page refused for want of the token, or, on /login itself, the next it was given.</summary>
    private static async Task<string> Next(HttpRequest request)
    {
        if (request.Path != "/login") return HttpMethods.IsGet(request.Method) ? LocalRedirect.Of(request) : LocalRedirect.Home;
        string? next = request.Query["next"];
        if (request.HasFormContentType) next = (await request.ReadFormAsync()).TryGetValue("next", out var n) ? n.ToString() : next;
        return LocalRedirect.IsLocal(next) ? next! : LocalRedirect.Home;
    }

    private static string ReasonPhrase(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } p ? p : "Error";
}
