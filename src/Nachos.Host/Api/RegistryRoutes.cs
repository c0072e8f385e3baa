using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Nachos.Host.Application;
using Nachos.Host.Contract;
using Nachos.Shared.Registry;

namespace Nachos.Host.Api;

/// <summary>
/// /api/registry: the model registry through the control API (docs/api.md, docs/registry.md), what <c>nachos model</c>
/// does with --host: register, list, show, promote, history (<see cref="CampaignRegistry"/>).
/// </summary>
public static class RegistryRoutes
{
    /// <summary>A registration's body carries the bundle's archive: larger than other bodies may be.</summary>
    public const long MaxRegisterBytes = 2L << 30;

    public static void Map(IEndpointRouteBuilder app)
    {
        var registry = app.MapGroup("/api/registry");
        registry.MapGet("/{task}/models", (string task, [FromServices] CampaignRegistry r) => Answer(() => r.Models(task)));
        registry.MapGet("/{task}/history", (string task, [FromServices] CampaignRegistry r) => Answer(() => r.History(task)));
        registry.MapGet("/models/{id:long}", (long id, [FromServices] CampaignRegistry r) => Answer(() => r.Model(id)));
        registry.MapPost("/models/{id:long}/promote", Promote);
        registry.MapPost("/{task}/models", Register);
    }

    /// <summary>A registry that cannot be reached is the cluster's trouble (503), not the client's.</summary>
    private static IResult Answer<T>(Func<Outcome<T>> read, Func<T, IResult>? ok = null) where T : class
    {
        try
        {
            return Problems.Answer(read(), ok);
        }
        catch (RegistryUnavailableException e)
        {
            return Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable", detail: e.Message);
        }
    }

    private static async Task<IResult> Promote(long id, HttpRequest request, [FromServices] CampaignRegistry registry)
    {
        var (body, problem) = await Problems.ReadBody<PromoteRequest>(request);
        if (problem is not null) return problem;
        return Answer(() => registry.Promote(id, body!.Alpha ?? PromotionRule.DefaultAlpha, body.Metric, Who(body.By)));
    }

    private static async Task<IResult> Register(string task, HttpRequest request, [FromServices] CampaignRegistry registry)
    {
        if (!request.HasJsonContentType())
            return Results.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type", detail: "send a JSON body with Content-Type: application/json");
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxRegisterBytes;
        RegisterRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync<RegisterRequest>(request.Body, ApiJson.Options, request.HttpContext.RequestAborted);
        }
        catch (JsonException e)
        {
            return Problems.BadRequest($"the body is not a registration ({e.Message.Split('\n')[0]})");
        }
        if (body is not { Bundle: { Length: > 0 } archive, Predictions: { } predictions })
            return Problems.BadRequest("a registration needs bundle (base64 of the bundle's zip archive) and predictions (the evaluation set's predictions CSV)");
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(archive);
        }
        catch (FormatException)
        {
            return Problems.BadRequest("bundle: not base64");
        }
        // The evaluation file keeps its name (messages name it, and it is the set's default name); never a path.
        var evalFile = Path.GetFileName(body.EvalFile ?? "") is { Length: > 0 } name && name is not "." and not ".." ? name : "predictions.csv";
        var folder = Directory.CreateTempSubdirectory("nachos-register-");
        try
        {
            var bundlePath = Path.Combine(folder.FullName, "bundle.zip");
            var evalPath = Path.Combine(folder.FullName, evalFile);
            await File.WriteAllBytesAsync(bundlePath, bytes, request.HttpContext.RequestAborted);
            await File.WriteAllTextAsync(evalPath, predictions, request.HttpContext.RequestAborted);
            var setName = body.EvalSet ?? Path.GetFileNameWithoutExtension(evalFile);
            return Answer(() =>
            {
                var outcome = registry.Register(bundlePath, task, evalPath, setName, Who(body.By));
                // Messages name the uploaded files by their names, not by this server's temporary folder.
                return outcome.Refusal is { } refusal ? (Outcome<RegisteredModel>)(refusal with { Detail = refusal.Detail.Replace(folder.FullName + Path.DirectorySeparatorChar, "") }) : outcome;
            }, m => Results.Created($"/api/registry/models/{m.Id}", m));
        }
        finally
        {
            folder.Delete(true);
        }
    }

    /// <summary>Who asked, as the history records it: the client's user@host, marked as coming through the API.</summary>
    private static string Who(string? by) => (string.IsNullOrWhiteSpace(by) ? "unknown" : by.Trim()[..Math.Min(by.Trim().Length, 200)]) + " (api)";
}
