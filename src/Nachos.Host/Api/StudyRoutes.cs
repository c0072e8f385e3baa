using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Nachos.Shared.Study;
using Nachos.Host.Application;
using Nachos.Host.Contract;

namespace Nachos.Host.Api;

/// <summary>/api/studies: list, submit, show, report, pause/resume/cancel, trials, tasks, artifact files (the operations: <see cref="StudyApplication"/>).</summary>
public static class StudyRoutes
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var studies = app.MapGroup("/api/studies");
        studies.MapGet("", async ([FromServices] StudyApplication a) => Results.Ok(await a.List()));
        studies.MapPost("", Submit);
        studies.MapGet("/{id}", async (string id, [FromServices] StudyApplication a) => Problems.Answer(await a.Detail(id)));
        studies.MapGet("/{id}/report", (string id, string? format, [FromServices] StudyApplication a) => Problems.Answer(a.Report(id, format),
            d => d.FilePath is { } file ? Results.File(file, d.MediaType) : Results.Content(d.Text!, d.MediaType)));
        studies.MapPost("/{id}/pause", async (string id, [FromServices] StudyApplication a) => Problems.Answer(await a.Control(id, StudyControl.Pause)));
        studies.MapPost("/{id}/resume", async (string id, [FromServices] StudyApplication a) => Problems.Answer(await a.Control(id, StudyControl.Resume)));
        studies.MapPost("/{id}/cancel", async (string id, [FromServices] StudyApplication a) => Problems.Answer(await a.Control(id, StudyControl.Cancel)));
        studies.MapGet("/{id}/trials", async (string id, string? fold, string? sort, [FromServices] StudyApplication a) => Problems.Answer(await a.Trials(id, fold, sort)));
        studies.MapGet("/{id}/tasks", async (string id, string? fold, string? state, [FromServices] StudyApplication a) => Problems.Answer(await a.Tasks(id, fold, state)));
        studies.MapGet("/{id}/cost", async (string id, [FromServices] StudyApplication a) => Problems.Answer(await a.Cost(id)));
        studies.MapGet("/{id}/files/{**path}", ArtifactFiles.Serve);
    }

    private static async Task<IResult> Submit(HttpRequest request, [FromServices] StudyApplication a)
    {
        var (body, problem) = await Problems.ReadBody<SubmitRequest>(request);
        if (problem is not null) return problem;
        return Problems.Answer(await a.Submit(body!, request.HttpContext.RequestAborted),
            r => r.Created ? Results.Created($"/api/studies/{Uri.EscapeDataString(r.Id)}", r) : Results.Ok(r));
    }
}
