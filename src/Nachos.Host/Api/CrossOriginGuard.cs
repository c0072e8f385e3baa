using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Nachos.Host.Api;

/// <summary>
/// State-changing requests (anything but GET, HEAD and OPTIONS) must come from this server's own pages or from
/// a client that is not a browser: a JSON body (a cross-origin page cannot send one without a preflight this
/// server never grants), an Origin, when sent, equal to the served origin, and a Sec-Fetch-Site, when sent, of
/// same-origin or none (the login form may send a form body, but only from this origin). The browser's cookie alone, from a page on another port of the same host, moves nothing.
/// </summary>
public static class CrossOriginGuard
{
    public static IApplicationBuilder UseCrossOriginGuard(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var refusal = Refusal(context.Request);
            if (refusal is null)
            {
                await next(context);
                return;
            }
            var (status, title) = refusal.Value.NotJson
                ? (StatusCodes.Status415UnsupportedMediaType, "Unsupported Media Type")
                : (StatusCodes.Status403Forbidden, "Forbidden");
            await Results.Problem(statusCode: status, title: title, detail: refusal.Value.Reason).ExecuteAsync(context);
        });

    /// <summary>Marks the one endpoint that takes an HTML form's POST (the login form): the origin checks still apply.</summary>
    public sealed class FormPost
    {
        public static readonly FormPost Instance = new();
        private FormPost() { }
    }

    /// <summary>Why the request is refused (and whether only its body type is at fault), or null when it may go on.</summary>
    public static (string Reason, bool NotJson)? Refusal(HttpRequest request)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method)) return null;
        var served = $"{request.Scheme}://{request.Host}";
        if (request.Headers.Origin.ToString() is { Length: > 0 } origin && !string.Equals(origin, served, StringComparison.OrdinalIgnoreCase))
            return ($"cross-origin request refused: {request.Method} from origin {origin}, this API serves {served}", false);
        if (request.Headers["Sec-Fetch-Site"].ToString() is { Length: > 0 } site && site is not ("same-origin" or "none"))
            return ($"cross-origin request refused: {request.Method} from a {site} page", false);
        if (!request.HasJsonContentType() && !(request.HasFormContentType && request.HttpContext.GetEndpoint()?.Metadata.GetMetadata<FormPost>() is not null))
            return ($"{request.Method} needs a JSON body (Content-Type: application/json; '{{}}' when there is nothing to send)", true);
        return null;
    }
}
