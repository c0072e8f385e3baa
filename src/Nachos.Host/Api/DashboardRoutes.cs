using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Nachos.Actors.Messages;
using Nachos.Host.Dashboard;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Host.Api;

/// <summary>The dashboard served over HTTP: / (studies), /studies/{id} (study page), /studies/{id}/models/o{k}/… (model pages).</summary>
public static class DashboardRoutes
{
    private const string Html = "text/html; charset=utf-8";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/", async ([FromServices] ControlPlane plane) =>
        {
            var counts = (await plane.Overview()).Studies.ToDictionary(c => c.StudyId);
            var studies = plane.Studies.Ids().Select(id => StudyRoutes.Summary(plane, id, counts.GetValueOrDefault(id))).ToList();
            return Results.Content(LivePages.Studies(studies), Html);
        });
        app.MapGet("/studies/{id}", async (string id, [FromServices] ControlPlane plane) =>
        {
            if (!plane.Studies.Exists(id)) return Problems.UnknownStudy(id);
            if (plane.Studies.StudyPage(id) is { } page) return Results.Content(page, Html);
            var detail = await StudyRoutes.Detail(plane, id);
            var shape = plane.Studies.Shape(id);
            var tasks = (await plane.Tasks(id)).Tasks;
            var trials = shape is null ? [] : StudyRoutes.TrialInfos(null, shape, tasks, null, TrialRows.Score);
            var models = shape is null ? [] : StudyRun.Live(plane.Studies.Directory(id), id, shape.Spec, tasks).Models;
            var running = StudyRoutes.TaskInfos(tasks, null, TaskStates.Running);
            return Results.Content(LivePages.Study(detail, trials, running, models, new ServedLinks(id)), Html);
        });
        app.MapGet("/studies/{id}/models/{**path}", async (string id, string? path, [FromServices] ControlPlane plane) =>
        {
            if (!plane.Studies.Exists(id)) return Problems.UnknownStudy(id);
            var run = plane.Studies.Run(id);
            if (run is null)
            {
                // Running: the models of the tasks that have succeeded so far, read afresh on each request.
                if (plane.Studies.Shape(id) is not { } shape) return Problems.Conflict($"study '{id}': its spec or splits cannot be read");
                run = StudyRun.Live(plane.Studies.Directory(id), id, shape.Spec, (await plane.Tasks(id)).Tasks);
            }
            if (TaskAddress.FromFolder(id, path ?? "") is not { } model || !run.Models.Contains(model))
                return Problems.NotFound($"study '{id}' has no {(run.HasReport ? "" : "finished ")}model '{path}' (expected o{{k}}/t{{n}}/s{{j}} or o{{k}}/refit)");
            return Results.Content(new DashboardRenderer(run).ModelPage(model, new ServedLinks(id)), Html);
        });
    }
}
