using System.Net;
using System.Net.Http.Json;
using Nachos.Host.Api;
using Nachos.Host.Running;
using Nachos.Shared.Study;
using Nachos.Host.Contract;

namespace Nachos.EndToEnd.Tests;

/// <summary>Studies submitted, paused, resumed and cancelled through the API of a real node.</summary>
public sealed class ApiStudyTests(ApiNode node) : IClassFixture<ApiNode>
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(3);

    private Task<HttpResponseMessage> Control(string id, string action) => node.Http.PostAsJsonAsync($"api/studies/{id}/{action}", new { });

    [Fact]
    public async Task A_submitted_study_runs_to_its_report_which_the_api_and_the_dashboard_serve()
    {
        using var created = await node.Submit(ApiNode.Spec("whole", 0.01));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("/api/studies/whole", created.Headers.Location?.OriginalString);
        Assert.True((await created.Content.ReadFromJsonAsync<SubmitResponse>(ApiJson.Options))!.Created);
        // Submitting the same study again changes nothing.
        using var again = await node.Submit(ApiNode.Spec("whole", 0.01));
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.False((await again.Content.ReadFromJsonAsync<SubmitResponse>(ApiJson.Options))!.Created);
        // A different spec under the same name is refused.
        Assert.Equal(HttpStatusCode.Conflict, (await node.Submit(ApiNode.Spec("whole", 0.02))).StatusCode);

        var study = await node.WaitFor("whole", s => StudyStates.IsFinal(s.State), Long);

        Assert.Equal(StudyStates.Complete, study.State);
        Assert.Equal((ApiNode.Tasks(), ApiNode.Tasks(), 0, 0), (study.Progress.TasksEnded, study.Progress.TasksTotal, study.Progress.Running, study.Progress.Failed));
        Assert.Equal((ApiNode.Tasks(), 0), (study.Progress.MeasuredTasks, study.Progress.Retried));
        Assert.Empty(study.Progress.FailedByKind!);
        Assert.All(study.Folds, f => Assert.True(f is { TasksEnded: 9, TasksTotal: 9, TrialsFinished: 4, RefitDone: true }, f.ToString()));
        Assert.Equal("auroc", study.Metric);
        var dir = node.StudyDir("whole");
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(dir, "report.json")), await node.Http.GetStringAsync("api/studies/whole/report"));
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(dir, "report.csv")), await node.Http.GetStringAsync("api/studies/whole/report?format=csv"));
        Assert.True(study.Report!.Value.GetProperty("complete").GetBoolean());
        var result = System.Text.Json.JsonSerializer.Deserialize<Nachos.Shared.Study.ResultText>(
            await node.Http.GetStringAsync("api/studies/whole/report?format=result"), ApiJson.Options)!;
        Assert.StartsWith("whole: mean test AUROC ", result.Headline);
        Assert.StartsWith("Simulated trainer", result.Banner);
        Assert.Contains(result.Details, l => l.StartsWith("Leakage audit: passed"));
        var html = await node.Http.GetStringAsync("api/studies/whole/report?format=html");
        Assert.Contains("id=\"model-o1-refit\"", html);

        var trials = (await node.Http.GetFromJsonAsync<TrialList>("api/studies/whole/trials", ApiJson.Options))!;
        Assert.Equal(8, trials.Trials.Count);
        Assert.All(trials.Trials, t => Assert.Equal(("succeeded", 2, true), (t.State, t.SplitsEnded, t.Config!.ContainsKey("learning_rate"))));
        var scores = trials.Trials.Select(t => t.Score!.Value).ToList();
        Assert.Equal(scores.OrderDescending(), scores);
        var chosen = trials.Trials.Where(t => t.Chosen).OrderBy(t => t.Outer).ToList();
        Assert.Equal([0, 1], chosen.Select(t => t.Outer));
        var report = Nachos.Shared.Study.StudyReport.Read(Path.Combine(dir, "report.json"));
        Assert.Equal(report.Folds.Select(f => f.ChosenTrial!.Value), chosen.Select(t => t.Trial));
        Assert.Equal(report.Folds[0].InnerScore!.Value, chosen[0].Score!.Value, 12);
        var fold1 = (await node.Http.GetFromJsonAsync<TrialList>("api/studies/whole/trials?fold=1&sort=loss", ApiJson.Options))!;
        Assert.All(fold1.Trials, t => Assert.Equal(1, t.Outer));
        var losses = fold1.Trials.Select(t => t.Metrics["loss"]!.Value).ToList();
        Assert.Equal(losses.Order(), losses);

        var tasks = (await node.Http.GetFromJsonAsync<TaskList>("api/studies/whole/tasks", ApiJson.Options))!.Tasks;
        Assert.Equal(ApiNode.Tasks(), tasks.Count);
        Assert.Equal(tasks.Count, tasks.Select(t => t.TaskId).Distinct().Count());
        Assert.All(tasks, t => Assert.True(t is { State: "succeeded", Attempts: >= 1, BestEpoch: >= 1, Error: null }, t.ToString()));
        Assert.Equal(["whole/o0/refit", "whole/o1/refit"], tasks.Where(t => t.Inner is null).Select(t => t.TaskId));
        var fold0 = (await node.Http.GetFromJsonAsync<TaskList>("api/studies/whole/tasks?fold=0&state=succeeded", ApiJson.Options))!.Tasks;
        Assert.Equal(tasks.Where(t => t.Outer == 0), fold0);
        Assert.Empty((await node.Http.GetFromJsonAsync<TaskList>("api/studies/whole/tasks?state=failed", ApiJson.Options))!.Tasks);

        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(dir, "o0", "refit", "predictions.csv")),
            await node.Http.GetByteArrayAsync("api/studies/whole/files/o0/refit/predictions.csv"));
        Assert.Contains("data-study=\"whole\"", await node.Http.GetStringAsync("/"));
        var page = await node.Http.GetStringAsync("studies/whole");
        Assert.Contains("<span class=\"badge complete\" id=\"state\">complete</span>", page);
        Assert.Contains("href=\"/studies/whole/models/o0/t", page);
        Assert.Contains("<title>whole: outer fold 1 · refit</title>", await node.Http.GetStringAsync("studies/whole/models/o1/refit"));
        // One URL per model: an index with a leading zero names no task folder.
        Assert.Equal(HttpStatusCode.NotFound, (await node.Http.GetAsync("studies/whole/models/o01/refit")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await node.Http.GetAsync("studies/whole/models/o0/t00/s0")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Control("whole", "pause")).StatusCode);
    }

    [Fact]
    public async Task A_paused_study_gets_no_new_task_until_it_is_resumed_and_then_finishes()
    {
        Assert.Equal(HttpStatusCode.Created, (await node.Submit(ApiNode.Spec("pausing", 0.1))).StatusCode);
        await node.WaitFor("pausing", s => s.Progress.TasksEnded >= 2, Long);

        using var paused = await Control("pausing", "pause");
        Assert.Equal(new ControlResponse("pausing", StudyStates.Paused), await paused.Content.ReadFromJsonAsync<ControlResponse>(ApiJson.Options));
        // Tasks already running finish; then nothing more is handed out.
        var quiet = await node.WaitFor("pausing", s => s.Progress.Running == 0, Long);
        var results = node.Results("pausing");
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.Equal(StudyStates.Paused, (await node.Study("pausing")).State);
        Assert.Equal(results, node.Results("pausing"));
        Assert.Equal(quiet.Progress.TasksEnded, (await node.Study("pausing")).Progress.TasksEnded);
        Assert.True(quiet.Progress.TasksEnded < ApiNode.Tasks(), "the study finished before the pause took effect");
        Assert.Equal(HttpStatusCode.OK, (await Control("pausing", "pause")).StatusCode); // idempotent

        // Before the report: the models finished so far have their pages, linked from the live study page.
        var tasks = (await node.Http.GetFromJsonAsync<TaskList>("api/studies/pausing/tasks", ApiJson.Options))!.Tasks;
        static string PathOf(TaskInfo t) => t.Inner is null ? $"o{t.Outer}/refit" : $"o{t.Outer}/t{t.Trial}/s{t.Inner}";
        var finished = tasks.First(t => t.State == TaskStates.Succeeded);
        var livePage = await node.Http.GetStringAsync("studies/pausing");
        Assert.Contains($"href=\"/studies/pausing/models/{PathOf(finished)}\"", livePage);
        Assert.Equal(tasks.Count(t => t.State == TaskStates.Succeeded), System.Text.RegularExpressions.Regex.Count(livePage, "href=\"/studies/pausing/models/"));
        var modelPage = await node.Http.GetStringAsync($"studies/pausing/models/{PathOf(finished)}");
        Assert.Contains("id=\"live-model\"", modelPage);
        Assert.Contains($"id=\"metrics-model-{PathOf(finished).Replace('/', '-')}\"", modelPage);
        Assert.DoesNotContain("<td>unknown</td>", modelPage); // its configuration, from the queue
        var open = tasks.First(t => t.State == TaskStates.Pending);
        using (var notYet = await node.Http.GetAsync($"studies/pausing/models/{PathOf(open)}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, notYet.StatusCode);
            Assert.Contains("has no finished model", await notYet.Content.ReadAsStringAsync());
        }

        Assert.Equal(HttpStatusCode.OK, (await Control("pausing", "resume")).StatusCode);
        var done = await node.WaitFor("pausing", s => StudyStates.IsFinal(s.State), Long);
        Assert.Equal(StudyStates.Complete, done.State);
        Assert.Equal(ApiNode.Tasks(), node.Results("pausing"));
    }

    [Fact]
    public async Task A_cancelled_study_stops_its_running_tasks_runs_nothing_more_and_stays_cancelled()
    {
        Assert.Equal(HttpStatusCode.Created, (await node.Submit(ApiNode.Spec("cancelling", 0.2))).StatusCode);
        await node.WaitFor("cancelling", s => s.Progress.TasksEnded >= 1 && s.Progress.Running > 0, Long);

        using var cancelled = await Control("cancelling", "cancel");
        Assert.Equal(new ControlResponse("cancelling", StudyStates.Cancelled), await cancelled.Content.ReadFromJsonAsync<ControlResponse>(ApiJson.Options));
        // Running tasks are revoked at once, not finished (a task takes 0.8 s here).
        var stopped = await node.WaitFor("cancelling", s => s.Progress.Running == 0, TimeSpan.FromSeconds(5));
        await Task.Delay(500); // a revoked task stops at its next epoch boundary
        var results = node.Results("cancelling");
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.Equal(StudyStates.Cancelled, stopped.State);
        Assert.Equal(results, node.Results("cancelling"));
        Assert.True(File.Exists(RunLayout.CancelledPath(node.StudyDir("cancelling"))));
        Assert.DoesNotContain("cancelling", RunDirectoryCatalog.Unfinished(node.Root));
        Assert.Equal(HttpStatusCode.Conflict, (await Control("cancelling", "resume")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await Control("cancelling", "pause")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Control("cancelling", "cancel")).StatusCode);
        Assert.Contains("<span class=\"badge cancelled\" id=\"state\">cancelled</span>", await node.Http.GetStringAsync("studies/cancelling"));
    }

    [Fact]
    public async Task Two_studies_submitted_together_share_the_devices_and_each_reports_exactly_as_when_run_alone()
    {
        // The same study alone, through `nachos run` in a folder of its own (same data: same seed).
        string Alone(string name)
        {
            var dir = Path.Combine(node.WorkDir, $"alone-{name}");
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "spec.yaml"), ApiNode.Spec(name, 0));
            var run = NachosProcess.Run(dir, "run", "spec.yaml", "--run-dir", "run");
            Assert.True(run.Code == 0, run.Output + run.Error);
            return File.ReadAllText(Path.Combine(dir, "run", "report.json"));
        }
        var alone = new Dictionary<string, string> { ["duo-a"] = Alone("duo-a"), ["duo-b"] = Alone("duo-b") };

        foreach (var name in alone.Keys) Assert.Equal(HttpStatusCode.Created, (await node.Submit(ApiNode.Spec(name, 0.3))).StatusCode);
        // Coordinators pick submitted studies up every few seconds: count from the moment both have tasks running.
        var both = new Dictionary<string, int>();
        foreach (var name in alone.Keys) await node.WaitFor(name, s => s.Progress.Running > 0 || s.Progress.TasksEnded > 0, Long);
        // Both counts taken together, so that neither study's window starts earlier than the other's.
        foreach (var name in alone.Keys) both[name] = (await node.Study(name)).Progress.TasksEnded;
        // From then on the queue takes the studies in turn: when the first finishes, the other has kept pace.
        var first = await Task.WhenAny(alone.Keys.Select(n => node.WaitFor(n, s => StudyStates.IsFinal(s.State), Long)));
        var otherId = alone.Keys.Single(n => n != first.Result.Id);
        var firstGain = first.Result.Progress.TasksEnded - both[first.Result.Id];
        var otherGain = (await node.Study(otherId)).Progress.TasksEnded - both[otherId];
        Assert.True(otherGain * 2 >= firstGain, $"while both ran, {first.Result.Id} ended {firstGain} tasks and {otherId} {otherGain}");

        foreach (var (name, report) in alone)
        {
            Assert.Equal(StudyStates.Complete, (await node.WaitFor(name, s => StudyStates.IsFinal(s.State), Long)).State);
            Assert.Equal(report, await File.ReadAllTextAsync(Path.Combine(node.StudyDir(name), "report.json")));
        }
    }
}
