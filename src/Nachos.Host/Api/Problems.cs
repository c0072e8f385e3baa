using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Nachos.Host.Application;
using Nachos.Host.Contract;

namespace Nachos.Host.Api;

/// <summary>RFC 9457 problem documents for the API's refusals (a page instead for browsers: <see cref="ProblemPages"/>).</summary>
public static class Problems
{
    /// <summary>Request bodies are small JSON documents (a spec is a few kB).</summary>
    public const long MaxBodyBytes = 1 << 20;

    public static IResult BadRequest(string detail) => Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad request", detail: detail);
    public static IResult NotFound(string detail) => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: detail);
    public static IResult Conflict(string detail) => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: detail);
    public static IResult Forbidden(string detail) => Results.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail);

    public static IResult UnknownStudy(string id) => Of(Refusal.UnknownStudy(id));

    public static IResult Of(Refusal refusal) => refusal.Kind switch
    {
        RefusalKind.BadRequest => BadRequest(refusal.Detail),
        RefusalKind.NotFound => NotFound(refusal.Detail),
        _ => Conflict(refusal.Detail),
    };

    /// <summary>The value as <paramref name="ok"/> answers it (200 with the value by default), or the refusal's problem.</summary>
    public static IResult Answer<T>(Outcome<T> outcome, Func<T, IResult>? ok = null) where T : class =>
        outcome.Refusal is { } refusal ? Of(refusal) : (ok ?? (v => Results.Ok(v)))(outcome.Value!);

    /// <summary>A JSON body of type T, or the problem that explains why there is none.</summary>
    public static async Task<(T? Body, IResult? Problem)> ReadBody<T>(HttpRequest request) where T : class
    {
        if (!request.HasJsonContentType())
            return (null, Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: "send a JSON body with Content-Type: application/json"));
        if (request.ContentLength > MaxBodyBytes)
            return (null, Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Payload too large", detail: $"bodies are limited to {MaxBodyBytes} bytes"));
        try
        {
            var body = await JsonSerializer.DeserializeAsync<T>(request.Body, ApiJson.Options, request.HttpContext.RequestAborted);
            return body is null ? (null, BadRequest("the body is empty (null)")) : (body, null);
        }
        catch (JsonException e)
        {
            return (null, BadRequest($"the body is not the expected JSON: {e.Message}"));
        }
        catch (BadHttpRequestException e) // a chunked body over Kestrel's limit, a client that stopped sending
        {
            return (null, Results.Problem(statusCode: e.StatusCode, title: "Bad request", detail: e.Message));
        }
    }

    /// <summary>
    /// The work queue (or the model registry's database) not answering is the cluster's trouble, not the request's: 503, try again. A finished study's
    /// task list that cannot be read: 409, naming the file.
    /// </summary>
    public sealed class QueueUnavailableHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is StudyFileException)
            {
                context.Response.StatusCode = StatusCodes.Status409Conflict;
                return await problems.TryWriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails = { Status = StatusCodes.Status409Conflict, Title = "Conflict", Detail = exception.Message },
                });
            }
            if (exception is not (QueueUnavailableException or RegistryUnavailableException)) return false;
            context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            context.Response.Headers.RetryAfter = "5";
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = StatusCodes.Status503ServiceUnavailable, Title = "Service unavailable", Detail = exception.Message },
            });
        }
    }
}
