using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Nachos.Actors.Messages;
using Nachos.Host.Running;
using Nachos.Host.Dashboard;
using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using Nachos.Host.Contract;

namespace Nachos.Host.Api;

/// <summary>/api/studies: list, submit, show, report, pause/resume/cancel, trials, tasks, artifact files.</summary>
public static class StudyRoutes
{
    public static void Map(IEndpointRouteBuilder app)
    {
        var studies = app.MapGroup("/api/studies");
        studies.MapGet("", List);
        studies.MapPost("", Submit);
        studies.MapGet("/{id}", Show);
        studies.MapGet("/{id}/report", Report);
        studies.MapPost("/{id}/pause", (string id, [FromServices] ControlPlane plane) => Control(id, StudyControl.Pause, plane));
        studies.MapPost("/{id}/resume", (string id, [FromServices] ControlPlane plane) => Control(id, StudyControl.Resume, plane));
        studies.MapPost("/{id}/cancel", (string id, [FromServices] ControlPlane plane) => Control(id, StudyControl.Cancel, plane));
        studies.MapGet("/{id}/trials", Trials);
        studies.MapGet("/{id}/tasks", Tasks);
        studies.MapGet("/{id}/files/{**path}", ArtifactFiles.Serve);
    }

    private static async Task<IResult> List([FromServices] ControlPlane plane)
    {
        var counts = (await plane.Overview()).Studies.ToDictionary(c => c.StudyId);
        return Results.Ok(plane.Studies.Ids().Select(id => Summary(plane, id, counts.GetValueOrDefault(id))).ToList());
    }

    public static StudySummary Summary(ControlPlane plane, string id, StudyCounts? counts) =>
        new(id, plane.Studies.State(id, counts), plane.Studies.Progress(id, counts));

    private static async Task<IResult> Show(string id, [FromServices] ControlPlane plane)
    {
        if (!plane.Studies.Exists(id)) return Problems.UnknownStudy(id);
        return Results.Ok(await Detail(plane, id));
    }

    public static async Task<StudyDetail> Detail(ControlPlane plane, string id)
    {
        var tasks = await plane.Tasks(id);
        var counts = QueueViews.CountsOf(id, tasks.Tasks, tasks.Paused, tasks.Cancelled);
        var shape = plane.Studies.Shape(id);
        var folds = shape is null ? [] : StudyProgressView.Folds(tasks.Tasks, shape.Spec.Search.Trials, shape.InnerSplits)
            .Select(f => new FoldInfo(f.Outer, f.TasksEnded, f.TasksTotal, f.Succeeded, f.Failed, f.Running, f.Pending, f.TrialsFinished, f.Trials, f.RefitDone))
            .ToList();
        System.Text.Json.JsonElement? report = null;
        if (plane.Studies.Report(id) is not null)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(plane.Studies.ReportPath(id)));
            report = doc.RootElement.Clone();
        }
        return new StudyDetail(id, plane.Studies.State(id, counts), plane.Studies.Progress(id, counts), folds, shape?.Spec.Search.Metric ?? "", report);
    }

    private static async Task<IResult> Submit(HttpRequest request, [FromServices] ControlPlane plane)
    {
        var (body, problem) = await Problems.ReadBody<SubmitRequest>(request);
        if (problem is not null) return problem;
        if (string.IsNullOrWhiteSpace(body!.Spec)) return Problems.BadRequest("'spec' is required: the study spec's YAML text");
        if (body.Name is not null && !SpecLoader.IsStudyName(body.Name))
            return Problems.BadRequest($"'name' must start with a letter or digit and hold only letters, digits, '-', '_' or '.', got '{body.Name}'");
        var directory = body.Directory ?? plane.Studies.Root;
        if (!Path.IsPathFullyQualified(directory)) return Problems.BadRequest($"'directory' must be an absolute path, got '{directory}'");
        if (plane.DataRoots.Refusal(directory, "'directory'") is { } outside) return Problems.BadRequest(outside);
        if (!Directory.Exists(directory)) return Problems.BadRequest($"'directory' {directory} does not exist on the node");
        var text = body.Name is null ? body.Spec : SpecText.WithName(body.Spec, body.Name);
        // Relative paths in the spec resolve against `directory`, as if the spec file were there.
        var source = Path.Combine(directory, "submitted-spec.yaml");

        await plane.SubmitLock.WaitAsync(request.HttpContext.RequestAborted);
        try
        {
            // Decoding the data and planning the splits is synchronous work: off the request thread.
            var inputs = await Task.Run(() => StudyInputs.Check(text, source, plane.DataRoots), request.HttpContext.RequestAborted);
            var id = inputs.Spec.Name;
            var created = RunDirectoryCatalog.Store(plane.Studies.Directory(id), text, source, inputs.Plan);
            var response = new SubmitResponse(id, created, plane.Studies.State(id, null), inputs.Data.Skipped.Select(s => $"skipped {s}").ToList());
            return created ? Results.Created($"/api/studies/{Uri.EscapeDataString(id)}", response) : Results.Ok(response);
        }
        catch (Exception e) when (e is SpecException or DataException or SplitException)
        {
            return Problems.BadRequest(e.Message);
        }
        catch (InvalidOperationException e)
        {
            return Problems.Conflict(e.Message);
        }
        finally
        {
            plane.SubmitLock.Release();
        }
    }

    private static IResult Report(string id, string? format, [FromServices] ControlPlane plane)
    {
        if (!plane.Studies.Exists(id)) return Problems.UnknownStudy(id);
        format ??= "json";
        if (format is not ("json" or "csv" or "html")) return Problems.BadRequest($"format '{format}': expected json, csv or html");
        if (plane.Studies.Report(id) is null) return Problems.Conflict($"study '{id}' has not finished: no report yet");
        var dir = plane.Studies.Directory(id);
        return format switch
        {
            "json" => Results.File(RunLayout.ReportPath(dir), "application/json"),
            "csv" => File.Exists(RunLayout.ReportCsvPath(dir)) ? Results.File(RunLayout.ReportCsvPath(dir), "text/csv") : Problems.NotFound($"this study has no {RunLayout.ReportCsv}"),
            _ => Results.Content(plane.Studies.Export(id)!, "text/html; charset=utf-8"),
        };
    }

    private static async Task<IResult> Control(string id, StudyControl control, ControlPlane plane)
    {
        if (!plane.Studies.Exists(id)) return Problems.UnknownStudy(id);
        if (plane.Studies.Report(id) is not null) return Problems.Conflict($"study '{id}' has finished");
        var answer = await plane.Ask<StudyControlled>(new ControlStudy(id, control));
        if (answer.Refusal is not null) return Problems.Conflict(answer.Refusal);
        if (answer.Cancelled && !plane.Studies.IsCancelled(id)) plane.Studies.MarkCancelled(id);
        return Results.Ok(new ControlResponse(id, answer.Cancelled ? StudyStates.Cancelled : answer.Paused ? StudyStates.Paused : StudyStates.Running));
    }

    /// <summary>A known, readable study and its optional <c>?fold=K</c>, or the problem to answer with.</summary>
    private static (StudyShape? Shape, int? Outer, IResult? Problem) StudyAndFold(string id, string? fold, ControlPlane plane)
    {
        if (!plane.Studies.Exists(id)) return (null, null, Problems.UnknownStudy(id));
        if (plane.Studies.Shape(id) is not { } shape) return (null, null, Problems.Conflict($"study '{id}': its spec or split plan cannot be read"));
        if (fold is null) return (shape, null, null);
        if (!int.TryParse(fold, out var k) || k < 0 || k >= shape.InnerSplits.Count)
            return (null, null, Problems.BadRequest($"fold '{fold}': expected an outer fold from 0 to {shape.InnerSplits.Count - 1}"));
        return (shape, k, null);
    }

    private static async Task<IResult> Trials(string id, string? fold, string? sort, [FromServices] ControlPlane plane)
    {
        var (shape, outer, problem) = StudyAndFold(id, fold, plane);
        if (problem is not null) return problem;
        sort ??= TrialRows.Score;
        if (!TrialRows.IsSortKey(sort, shape!.Spec.Task))
            return Problems.BadRequest($"sort '{sort}': expected {TrialRows.Score}, {TrialRows.Loss} or one of {string.Join(", ", SpecNames.MetricsOf(shape.Spec.Task))}");

        var tasks = (await plane.Tasks(id)).Tasks;
        var trials = TrialInfos(plane.Studies.Report(id), shape!, tasks, outer, sort);
        return Results.Ok(new TrialList(id, shape!.Spec.Search.Metric, sort, trials));
    }

    private static async Task<IResult> Tasks(string id, string? fold, string? state, [FromServices] ControlPlane plane)
    {
        var (_, outer, problem) = StudyAndFold(id, fold, plane);
        if (problem is not null) return problem;
        if (state is not null && !TaskStates.All.Contains(state))
            return Problems.BadRequest($"state '{state}': expected {string.Join(", ", TaskStates.All)}");
        return Results.Ok(new TaskList(id, TaskInfos((await plane.Tasks(id)).Tasks, outer, state)));
    }

    /// <summary>The tasks of one outer fold (or all) in one state (or any), by fold, trials before the refit, trial and inner split.</summary>
    public static IReadOnlyList<TaskInfo> TaskInfos(IReadOnlyList<TaskView> tasks, int? outer, string? state) =>
        tasks.Where(t => (outer is null || t.Outer == outer) && (state is null || t.State == state))
            .OrderBy(t => t.Outer).ThenBy(t => t.IsRefit).ThenBy(t => t.Trial).ThenBy(t => t.Inner)
            .Select(t => new TaskInfo(t.TaskId, t.Outer, t.Trial, t.Inner, t.State, t.Attempts, t.Scores?.BestEpoch, t.Error, t.Kind,
                t.Progress?.Epoch, t.Progress?.MaxEpochs))
            .ToList();

    /// <summary>The trials of one outer fold (or all), sorted; configurations the queue no longer holds come from the report.</summary>
    public static IReadOnlyList<TrialInfo> TrialInfos(StudyReport? report, StudyShape shape, IReadOnlyList<TaskView> tasks, int? outer, string sort)
    {
        var rows = Enumerable.Range(0, shape.InnerSplits.Count)
            .Where(k => outer is null || k == outer)
            .SelectMany(k => TrialRows.Build(tasks.Where(t => t.Outer == k).ToList(), shape.InnerSplits[k], shape.Spec.Search.Metric));
        return TrialRows.Sort(rows, sort, shape.Spec.Search.Maximise).Select(r =>
        {
            var reported = report?.Folds.FirstOrDefault(f => f.Outer == r.Outer);
            var config = r.Config ?? reported?.Trials.FirstOrDefault(t => t.Trial == r.Trial)?.Config;
            return new TrialInfo(r.Outer, r.Trial, config?.Values, r.State, r.SplitsEnded, r.Splits, r.Score, r.StandardError, r.MeanBestEpoch,
                r.Metrics, reported?.ChosenTrial == r.Trial, r.Failure, r.FailureKind);
        }).ToList();
    }
}
