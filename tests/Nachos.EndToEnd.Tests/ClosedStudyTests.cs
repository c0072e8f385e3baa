using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Nachos.Actors.Serialization;
using Nachos.Host.Api;
using Nachos.Host.Application;
using Nachos.Host.Running;
using Nachos.Shared.Study;
using Nachos.Host.Contract;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// A finished study is closed: the work queue writes its task list to tasks.json and forgets its tasks, so the
/// queue's snapshot stops carrying them, while the API's answers about the study stay what they were.
/// </summary>
public sealed class ClosedStudyTests(ApiNode node) : IClassFixture<ApiNode>
{
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(3);

    private SqliteConnection Journal()
    {
        var db = new SqliteConnection($"Data Source={Path.Combine(node.Root, "journal.db")};Mode=ReadOnly;Pooling=False");
        db.Open();
        return db;
    }

    /// <summary>The queue's state as its journal holds it, without the closing of studies: what it answered before.</summary>
    private QueueState Unclosed()
    {
        using var db = Journal();
        using var query = db.CreateCommand();
        query.CommandText = "SELECT message, manifest FROM journal WHERE persistence_id = 'work-queue' AND deleted = 0 ORDER BY sequence_number";
        using var rows = query.ExecuteReader();
        var state = QueueState.Empty;
        Assert.Equal(0L, Scalar("SELECT count(*) FROM journal WHERE persistence_id = 'work-queue' AND sequence_number = 1 AND deleted = 1"));
        while (rows.Read())
        {
            var e = (QueueEvent)JsonSerializer.Deserialize((byte[])rows[0], NachosSerializer.Manifests[rows.GetString(1)], NachosSerializer.Json)!;
            if (e is not StudyClosed) state = state.Apply(e);
        }
        return state;
    }

    private long Scalar(string sql)
    {
        using var db = Journal();
        using var query = db.CreateCommand();
        query.CommandText = sql;
        return Convert.ToInt64(query.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private QueueSnapshot LatestSnapshot()
    {
        using var db = Journal();
        using var query = db.CreateCommand();
        query.CommandText = "SELECT snapshot FROM snapshot WHERE persistence_id = 'work-queue' ORDER BY sequence_number DESC LIMIT 1";
        return JsonSerializer.Deserialize<QueueSnapshot>((byte[])query.ExecuteScalar()!, NachosSerializer.Json)!;
    }

    private static string Json(object o) => JsonSerializer.Serialize(o, ApiJson.Options);

    [Fact]
    public async Task Two_finished_studies_leave_the_queue_snapshot_and_their_tasks_and_trials_answers_are_unchanged()
    {
        string[] ids = ["closed-a", "closed-b"];
        foreach (var id in ids) (await node.Submit(ApiNode.Spec(id, 0.005))).Dispose();
        foreach (var id in ids)
        {
            await node.WaitFor(id, s => StudyStates.IsFinal(s.State), Long);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (!File.Exists(StudyTaskFile.PathIn(node.StudyDir(id))) && DateTime.UtcNow < deadline) await Task.Delay(100);
        }
        // The snapshot written when the second study closed holds neither study's tasks, only their counts.
        var snapshotDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (LatestSnapshotOrNull()?.Closed?.Count != 2 && DateTime.UtcNow < snapshotDeadline) await Task.Delay(100);
        var snapshot = LatestSnapshot();
        Assert.Empty(snapshot.Completed);
        Assert.Empty(snapshot.CompletedTasks!);
        Assert.Empty(snapshot.Open);
        Assert.Empty(snapshot.Attempts);
        Assert.Equal(ids, snapshot.Closed!.Keys.Order(StringComparer.Ordinal));
        Assert.All(snapshot.Closed.Values, c => Assert.Equal(new ClosedStudy(ApiNode.Tasks(), 0), c));

        var before = Unclosed();
        var studies = new CampaignStudies(node.Root);
        foreach (var id in ids)
        {
            // Before closing, the queue held every task of the study; the answers are now read from tasks.json.
            var views = before.TasksOf(id, new HashSet<string>());
            Assert.Equal(ApiNode.Tasks(), views.Count);
            Assert.Equal(Json(views), Json(StudyTaskFile.Read(node.StudyDir(id))!.Tasks));

            var tasks = (await node.Http.GetFromJsonAsync<TaskList>($"api/studies/{id}/tasks", ApiJson.Options))!;
            Assert.Equal(Json(new TaskList(id, StudyViews.TaskInfos(views, null, null))), Json(tasks));
            var fold1 = (await node.Http.GetFromJsonAsync<TaskList>($"api/studies/{id}/tasks?fold=1&state=succeeded", ApiJson.Options))!;
            Assert.Equal(Json(new TaskList(id, StudyViews.TaskInfos(views, 1, TaskStates.Succeeded))), Json(fold1));

            var shape = studies.Shape(id)!;
            var trials = (await node.Http.GetFromJsonAsync<TrialList>($"api/studies/{id}/trials?sort=loss", ApiJson.Options))!;
            Assert.Equal(Json(StudyViews.TrialInfos(studies.Report(id), shape, views, null, "loss")), Json(trials.Trials));
            Assert.Equal(8, trials.Trials.Count);
            Assert.All(trials.Trials, t => Assert.True(t.Config!.ContainsKey("learning_rate")));

            var study = await node.Study(id);
            Assert.Equal((StudyStates.Complete, ApiNode.Tasks(), ApiNode.Tasks()), (study.State, study.Progress.TasksEnded, study.Progress.TasksTotal));
            Assert.All(study.Folds, f => Assert.True(f is { TasksEnded: 9, TasksTotal: 9, TrialsFinished: 4, RefitDone: true }, f.ToString()));
        }
        // The study list keeps the closed studies' counts.
        var list = (await node.Http.GetFromJsonAsync<List<StudySummary>>("api/studies", ApiJson.Options))!;
        Assert.All(list.Where(s => ids.Contains(s.Id)), s => Assert.Equal(ApiNode.Tasks(), s.Progress.TasksEnded));
    }

    private QueueSnapshot? LatestSnapshotOrNull() =>
        Scalar("SELECT count(*) FROM snapshot WHERE persistence_id = 'work-queue'") == 0 ? null : LatestSnapshot();
}
