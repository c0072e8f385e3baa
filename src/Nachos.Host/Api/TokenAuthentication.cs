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
/// paths included) is answered 401 with a problem document.
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
                detail: "send the campaign's token (ROOT/api-token) as 'Authorization: Bearer TOKEN'; browsers: open /login?token=TOKEN once").ExecuteAsync(context);
        });

    private static string? Presented(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return header["Bearer ".Length..].Trim();
        return request.Cookies.TryGetValue(Cookie, out var cookie) ? cookie : null;
    }

    /// <summary>GET /login?token=…: checks the token, keeps it in an HTTP-only cookie and goes to the dashboard.</summary>
    public static void MapLogin(IEndpointRouteBuilder app) =>
        app.MapGet("/login", (HttpContext context, string? token, [Microsoft.AspNetCore.Mvc.FromServices] ControlPlane plane) =>
        {
            if (!ApiToken.Matches(plane.Token, token))
                return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "wrong or missing token");
            context.Response.Cookies.Append(Cookie, token!, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, Path = "/" });
            return Results.Redirect("/");
        }).AllowAnonymous();
}
