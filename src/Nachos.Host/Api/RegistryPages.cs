using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Nachos.Host.Application;
using Nachos.Host.Dashboard;

namespace Nachos.Host.Api;

/// <summary>
/// The dashboard's models pages (docs/registry.md): /models (the task names, each with its champion),
/// /models/{task}?sort=METRIC (its models ranked, the champion marked, the promotion history) and
/// /models/{task}/v{n}.zip (the registered bundle's archive).
/// </summary>
public static class RegistryPages
{
    private const string Html = "text/html; charset=utf-8";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet(RegistryLinks.Root, ([FromServices] CampaignRegistry registry) =>
            Results.Content(PageRenderer.Render<RegistryPage>(new Dictionary<string, object?> { [nameof(RegistryPage.Tasks)] = registry.Tasks() }), Html));
        app.MapGet(RegistryLinks.Root + "/{task}", (string task, string? sort, [FromServices] CampaignRegistry registry) =>
            Problems.Answer(registry.Task(task, sort), view =>
                Results.Content(PageRenderer.Render<RegistryTaskPage>(new Dictionary<string, object?> { [nameof(RegistryTaskPage.View)] = view }), Html)));
        app.MapGet(RegistryLinks.Root + "/{task}/{file}", (string task, string file, [FromServices] CampaignRegistry registry) =>
            RegistryLinks.Version(file) is { } version && registry.Bundle(task, version) is { } archive
                ? Results.File(archive, "application/zip", $"{task}-{file}")
                : Problems.NotFound($"no registered bundle '{file}' of task '{task}' (files are named v{{version}}.zip)"));
    }
}
