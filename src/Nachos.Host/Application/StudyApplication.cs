using Nachos.Actors.Messages;
using Nachos.Host.Contract;
using Nachos.Host.Dashboard;
using Nachos.Host.Running;
using Nachos.Shared.Data;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using Nachos.Shared.Queue;

namespace Nachos.Host.Application;

/// <summary>A running study's live page: its detail, its progress, its trials so far and the models finished so far.</summary>
public sealed record LiveStudy(StudyDetail Detail, StudyProgressView Progress, IReadOnlyList<TrialInfo> Trials, IReadOnlyList<TaskAddress> Models);

/// <summary>One model of a study and the study as the dashboard reads it.</summary>
public sealed record StudyModel(StudyRun Run, TaskAddress Model);

/// <summary>
/// The study operations of a coordinator, once for the API routes and the dashboard: list, submit, detail,
/// trials, tasks, pause/resume/cancel, report, and the live page's and model pages' data. Each answers a value or a <see cref="Refusal"/>; the queue not
/// answering throws <see cref="QueueUnavailableException"/>.
/// </summary>
public sealed class StudyApplication(ControlPlane plane)
{
    private CampaignStudies Studies => plane.Studies;

    public async Task<List<StudySummary>> List()
    {
        var counts = (await plane.Overview()).Studies.ToDictionary(c => c.StudyId);
        return Studies.Ids().Select(id => new StudySummary(id, Studies.State(id, counts.GetValueOrDefault(id)), Studies.Progress(id, counts.GetValueOrDefault(id)))).ToList();
    }

    public async Task<Outcome<StudyDetail>> Detail(string id)
    {
        if (!Studies.Exists(id)) return Refusal.UnknownStudy(id);
        var tasks = await plane.Tasks(id);
        return await Detail(id, tasks, Progress(id, tasks.Tasks));
    }

    /// <summary>What the live page of a study shows before its report exists (after, the finished study's page is served).</summary>
    public async Task<Outcome<LiveStudy>> Live(string id)
    {
        if (!Studies.Exists(id)) return Refusal.UnknownStudy(id);
        var tasks = await plane.Tasks(id);
        var progress = Progress(id, tasks.Tasks);
        var shape = Studies.Shape(id);
        var trials = shape is null ? [] : StudyViews.TrialInfos(null, shape, tasks.Tasks, null, TrialRows.Score);
        var models = shape is null ? [] : StudyRun.Live(Studies.Directory(id), id, shape.Spec, tasks.Tasks).Models;
        return new LiveStudy(await Detail(id, tasks, progress), progress, trials, models);
    }

    /// <summary>A model of the study: of the finished study, or one whose task has succeeded so far (read afresh each time).</summary>
    /// <param name="path">o{k}/t{n}/s{j} or o{k}/refit.</param>
    public async Task<Outcome<StudyModel>> Model(string id, string? path)
    {
        if (!Studies.Exists(id)) return Refusal.UnknownStudy(id);
        var run = Studies.Run(id);
        if (run is null)
        {
            if (Studies.Shape(id) is not { } shape) return Refusal.Conflict($"study '{id}': its spec or splits cannot be read");
            run = StudyRun.Live(Studies.Directory(id), id, shape.Spec, (await plane.Tasks(id)).Tasks);
        }
        if (TaskAddress.FromFolder(id, path ?? "") is not { } model || !run.Models.Contains(model))
            return Refusal.NotFound($"study '{id}' has no {(run.HasReport ? "" : "finished ")}model '{path}' (expected o{{k}}/t{{n}}/s{{j}} or o{{k}}/refit)");
        return new StudyModel(run, model);
    }

    private StudyProgressView Progress(string id, IReadOnlyList<TaskView> tasks) =>
        Studies.Shape(id) is { } shape ? shape.Progress(tasks) : StudyProgressView.Of(tasks, 0, []);

    private async Task<StudyDetail> Detail(string id, StudyTasks tasks, StudyProgressView progress)
    {
        var counts = QueueViews.CountsOf(id, tasks.Tasks, tasks.Paused, tasks.Cancelled);
        System.Text.Json.JsonElement? report = null;
        if (Studies.Report(id) is not null)
        {
            using var doc = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Studies.ReportPath(id)));
            report = doc.RootElement.Clone();
        }
        var devices = (await plane.Overview()).Devices.Count(d => d.State != DeviceStates.Drained);
        return new StudyDetail(id, Studies.State(id, counts), StudyViews.ProgressInfo(progress, Studies.Started(id), devices), StudyViews.FoldInfos(progress),
            Studies.Shape(id)?.Spec.Search.Metric ?? "", report);
    }

    /// <summary>Checks the spec, its data and split plan and stores the study; <see cref="SubmitResponse.Created"/> is false when it was already there.</summary>
    public async Task<Outcome<SubmitResponse>> Submit(SubmitRequest body, CancellationToken cancel)
    {
        if (string.IsNullOrWhiteSpace(body.Spec)) return Refusal.BadRequest("'spec' is required: the study spec's YAML text");
        if (body.Name is not null && !StudyName.IsValid(body.Name))
            return Refusal.BadRequest($"'name' must start with a letter or digit and hold only letters, digits, '-', '_' or '.', got '{body.Name}'");
        var directory = body.Directory ?? Studies.Root;
        if (!Path.IsPathFullyQualified(directory)) return Refusal.BadRequest($"'directory' must be an absolute path, got '{directory}'");
        if (plane.DataRoots.Refusal(directory, "'directory'") is { } outside) return Refusal.BadRequest(outside);
        if (!Directory.Exists(directory)) return Refusal.BadRequest($"'directory' {directory} does not exist on the node");
        var text = body.Name is null ? body.Spec : SpecText.WithName(body.Spec, body.Name);
        // Relative paths in the spec resolve against `directory`, as if the spec file were there.
        var source = Path.Combine(directory, "submitted-spec.yaml");

        await plane.SubmitLock.WaitAsync(cancel);
        try
        {
            // Decoding the data and planning the splits is synchronous work: off the request thread.
            var inputs = await Task.Run(() => StudyInputs.Check(text, source, plane.DataRoots), cancel);
            var id = inputs.Spec.Name;
            var created = RunDirectoryCatalog.Store(Studies.Directory(id), text, source, inputs.Plan);
            return new SubmitResponse(id, created, Studies.State(id, null), inputs.Data.Skipped.Select(s => $"skipped {s}").ToList());
        }
        catch (Exception e) when (e is SpecException or DataException or SplitException)
        {
            return Refusal.BadRequest(e.Message);
        }
        catch (InvalidOperationException e)
        {
            return Refusal.Conflict(e.Message);
        }
        finally
        {
            plane.SubmitLock.Release();
        }
    }

    /// <param name="format">json (the default), csv or html.</param>
    public Outcome<ReportDocument> Report(string id, string? format)
    {
        if (!Studies.Exists(id)) return Refusal.UnknownStudy(id);
        format ??= "json";
        if (!ReportDocument.IsFormat(format)) return Refusal.BadRequest($"format '{format}': expected {ReportDocument.Formats}");
        if (Studies.Report(id) is null) return Refusal.Conflict($"study '{id}' has not finished: no report yet");
        // The catalog's study run keeps its statement, so the dataset is read and audited once per finished study, not per request.
        return ReportDocument.Of(Studies.Directory(id), format, () => Studies.Export(id)!, _ => $"this study has no {RunLayout.ReportCsv}", () => Studies.Run(id)?.Result);
    }

    public async Task<Outcome<ControlResponse>> Control(string id, StudyControl control)
    {
        if (!Studies.Exists(id)) return Refusal.UnknownStudy(id);
        if (Studies.Report(id) is not null) return Refusal.Conflict($"study '{id}' has finished");
        var answer = await plane.Ask<StudyControlled>(new ControlStudy(id, control));
        if (answer.Refusal is not null) return Refusal.Conflict(answer.Refusal);
        if (answer.Cancelled && !Studies.IsCancelled(id)) Studies.MarkCancelled(id);
        return new ControlResponse(id, answer.Cancelled ? StudyStates.Cancelled : answer.Paused ? StudyStates.Paused : StudyStates.Running);
    }

    /// <param name="fold">An outer fold K (text, as the query gives it), or null for all.</param>
    /// <param name="sort">score (the default), loss or a validation metric.</param>
    public async Task<Outcome<TrialList>> Trials(string id, string? fold, string? sort)
    {
        var (shape, outer, refusal) = StudyAndFold(id, fold);
        if (refusal is not null) return refusal;
        sort ??= TrialRows.Score;
        if (!TrialRows.IsSortKey(sort, shape!.Spec.Task))
            return Refusal.BadRequest($"sort '{sort}': expected {TrialRows.Score}, {TrialRows.Loss} or one of {string.Join(", ", SpecNames.MetricsOf(shape.Spec.Task))}");
        var tasks = (await plane.Tasks(id)).Tasks;
        return new TrialList(id, shape!.Spec.Search.Metric, sort, StudyViews.TrialInfos(Studies.Report(id), shape, tasks, outer, sort));
    }

    /// <param name="state">pending, running, succeeded or failed; null for any.</param>
    public async Task<Outcome<TaskList>> Tasks(string id, string? fold, string? state)
    {
        var (_, outer, refusal) = StudyAndFold(id, fold);
        if (refusal is not null) return refusal;
        if (state is not null && !TaskStates.All.Contains(state))
            return Refusal.BadRequest($"state '{state}': expected {string.Join(", ", TaskStates.All)}");
        return new TaskList(id, StudyViews.TaskInfos((await plane.Tasks(id)).Tasks, outer, state));
    }

    /// <summary>What the study has cost so far, by stage, and what its scheduler saved (from the queue, or the finished study's task list).</summary>
    public async Task<Outcome<StudyCost>> Cost(string id)
    {
        var (shape, _, refusal) = StudyAndFold(id, null);
        if (refusal is not null) return refusal;
        var deploy = shape!.Spec.Deploy?.TrainsAllData != true ? (int?)null : shape.InnerSplits.Count - 1;
        return StudyCost.Of((await plane.Tasks(id)).Tasks, deploy, shape.Spec.Search);
    }

    /// <summary>A known, readable study and its optional outer fold, or the refusal.</summary>
    private (StudyShape? Shape, int? Outer, Refusal? Refusal) StudyAndFold(string id, string? fold)
    {
        if (!Studies.Exists(id)) return (null, null, Refusal.UnknownStudy(id));
        if (Studies.Shape(id) is not { } shape) return (null, null, Refusal.Conflict($"study '{id}': its spec or split plan cannot be read"));
        if (fold is null) return (shape, null, null);
        if (!int.TryParse(fold, out var k) || k < 0 || k >= shape.InnerSplits.Count)
            return (null, null, Refusal.BadRequest($"fold '{fold}': expected an outer fold from 0 to {shape.InnerSplits.Count - 1}"));
        return (shape, k, null);
    }
}
