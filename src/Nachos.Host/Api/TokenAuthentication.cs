using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Authorization;
using Nachos.Host.Application;
using Nachos.Host.Contract;

namespace Nachos.Host.Api;

/// <summary>
/// Every endpoint needs the token except those marked <c>AllowAnonymous</c> (/api/health, /login): as
/// <c>Authorization: Bearer TOKEN</c>, or as the cookie /login sets for the browser. Anything else (unknown
/// paths included) is answered 401: a problem document for programs, the login form for browsers
/// (<see cref="ProblemPages"/>), which then comes back to the page asked for.
/// </summary>
public static class TokenAuthentication
{
    public const string Cookie = "nachos_token";

    public static IApplicationBuilder UseTokenAuthentication(this IApplicationBuilder app, string token) =>
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<IAllowAnonymous>() is not null || ApiToken.Matches(token, Presented(context.Request)))
            {
                await next(context);
                return;
            }
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized",
                detail: "send the campaign's token (ROOT/api-token) as 'Authorization: Bearer TOKEN'; browsers: log in at /login").ExecuteAsync(context);
        });

    private static string? Presented(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header["Bearer ".Length..].Trim();
        return request.Cookies.TryGetValue(Cookie, out var cookie) ? cookie : null;
    }

    /// <summary>
    /// GET /login: the token form (with <c>?next=PATH</c>, the page to go to afterwards). POST /login (a form: token,
    /// next): checks the token, keeps it in an HTTP-only cookie and redirects (303) to next. GET /login?token=… does the
    /// same in one link. A next that is not a path of this site is refused (400): the login is no open redirect.
    /// </summary>
    public static void MapLogin(IEndpointRouteBuilder app)
    {
        app.MapGet("/login", (HttpContext context, string? token, string? next, [Microsoft.AspNetCore.Mvc.FromServices] ControlPlane plane) =>
            token is null ? Form(context, next) : LogIn(context, plane, token, next)).AllowAnonymous();
        app.MapPost("/login", async (HttpContext context, [Microsoft.AspNetCore.Mvc.FromServices] ControlPlane plane) =>
        {
            if (!context.Request.HasFormContentType) return Problems.BadRequest("send the login form (application/x-www-form-urlencoded: token, next)");
            var form = await context.Request.ReadFormAsync(context.RequestAborted);
            return LogIn(context, plane, form["token"].ToString(), form["next"].ToString() is { Length: > 0 } next ? next : null);
        }).AllowAnonymous().WithMetadata(CrossOriginGuard.FormPost.Instance);
    }

    private static IResult Form(HttpContext context, string? next)
    {
        if (next is not null && !LocalRedirect.IsLocal(next)) return RefusedNext(next);
        return Results.Content(ProblemPages.Login(next ?? LocalRedirect.Home, null), "text/html; charset=utf-8");
    }

    private static IResult LogIn(HttpContext context, ControlPlane plane, string token, string? next)
    {
        if (next is not null && !LocalRedirect.IsLocal(next)) return RefusedNext(next);
        if (!ApiToken.Matches(plane.Token, token))
            return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "wrong or missing token");
        context.Response.Cookies.Append(Cookie, token, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
        // 303: the browser follows a POST's answer with a GET.
        context.Response.Headers.Location = next ?? LocalRedirect.Home;
        return Results.StatusCode(HttpMethods.IsPost(context.Request.Method) ? StatusCodes.Status303SeeOther : StatusCodes.Status302Found);
    }

    private static IResult RefusedNext(string next) =>
        Problems.BadRequest($"next '{next}': only a path on this site is accepted (one '/' first, no scheme or host)");
}
