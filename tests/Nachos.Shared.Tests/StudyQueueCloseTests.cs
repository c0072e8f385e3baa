using System.Text.Json;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using Nachos.Tests;

namespace Nachos.Shared.Tests;

/// <summary>A finished study is closed: the queue keeps its counts, not its tasks; the task list lives in tasks.json.</summary>
public sealed class StudyQueueCloseTests
{
    private static TaskSpec Task(string study, int trial, int inner = 0) =>
        TaskSpec.ForSplit(study, 0, trial, inner, Hyperparameters.Empty.With("learning_rate", 0.01 * (trial + 1)), 5, 1);

    private static TrainingResult Result(string taskId, double auc) =>
        new(taskId, 2, 3, 0.5, new Dictionary<string, double?> { ["auc"] = auc, ["f1"] = double.NaN }, new Dictionary<string, double?>(), "h.csv", "p.csv", 1, "cpu0");

    /// <summary>Studies a and b, each with two succeeded tasks, one failed after a retry and one still open.</summary>
    private static QueueState TwoStudies()
    {
        var s = QueueState.Empty;
        foreach (var study in new[] { "a", "b" })
        {
            for (var t = 0; t < 4; t++) s = s.Apply(new TaskQueued(Task(study, t), 2));
            s = s.Apply(new TaskCompleted(new TaskOutcome(Task(study, 0).TaskId, Result(Task(study, 0).TaskId, 0.7), null, 1)));
            s = s.Apply(new TaskCompleted(new TaskOutcome(Task(study, 1).TaskId, Result(Task(study, 1).TaskId, 0.8), null, 1)));
            s = s.Apply(new TaskAttemptRecorded(Task(study, 2).TaskId, "lost", FailureKind.Timeout));
            s = s.Apply(new TaskCompleted(new TaskOutcome(Task(study, 2).TaskId, null, "bad input", 2, FailureKind.DataError)));
        }
        return s;
    }

    private static string Json(object o) => JsonSerializer.Serialize(o, new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals });

    [Fact]
    public void Closing_a_study_drops_its_tasks_from_the_state_and_the_snapshot_and_keeps_the_other_studies_and_its_counts()
    {
        var before = TwoStudies();
        var othersBefore = Json(before.TasksOf("b", new HashSet<string>()));

        var closed = before.Apply(before.DecideClose("a")!);

        Assert.Empty(closed.TasksOf("a", new HashSet<string>()));
        Assert.DoesNotContain(closed.Completed.Keys, id => id.StartsWith("a/", StringComparison.Ordinal));
        Assert.DoesNotContain(closed.CompletedTasks.Keys, id => id.StartsWith("a/", StringComparison.Ordinal));
        Assert.DoesNotContain(closed.Attempts.Keys, id => id.StartsWith("a/", StringComparison.Ordinal));
        Assert.DoesNotContain(closed.Open.Keys, id => id.StartsWith("a/", StringComparison.Ordinal));
        Assert.Equal(othersBefore, Json(closed.TasksOf("b", new HashSet<string>())));
        // The counts stay: the study list and /metrics show the same totals.
        Assert.Equal(Json(before.CountsByStudy(new HashSet<string>()).Where(c => c.StudyId == "b")), Json(closed.CountsByStudy(new HashSet<string>()).Where(c => c.StudyId == "b")));
        Assert.Equal(new StudyCounts("a", 0, 0, 2, 1, false, false), closed.CountsByStudy(new HashSet<string>()).Single(c => c.StudyId == "a"));
        // The open task a/o0/t3 is no longer served; b's open task is.
        Assert.Equal("b/o0/t3/s0", closed.Take().Task!.Task.TaskId);
        Assert.Null(closed.Take().State.Take().Task);

        var snapshot = closed.ToSnapshot();
        Assert.Equal(3, snapshot.Completed.Count);
        Assert.All(snapshot.Completed, o => Assert.StartsWith("b/", o.TaskId, StringComparison.Ordinal));
        Assert.Equal(3, snapshot.CompletedTasks!.Count);
        Assert.True(Json(snapshot).Length < Json(before.ToSnapshot()).Length * 0.6);
        var restored = QueueState.FromSnapshot(snapshot);
        Assert.True(restored.IsClosed("a"));
        Assert.Equal(Json(closed.CountsByStudy(new HashSet<string>())), Json(restored.CountsByStudy(new HashSet<string>())));
        Assert.Equal(othersBefore, Json(restored.TasksOf("b", new HashSet<string>())));
    }

    [Fact]
    public void A_closed_study_is_closed_once_and_what_its_tasks_send_later_changes_nothing()
    {
        var s = TwoStudies();
        s = s.Apply(s.DecideClose("a")!);
        Assert.Null(s.DecideClose("a"));

        var later = s.Apply(new TaskQueued(Task("a", 0), 2))
            .Apply(new TaskQueued(Task("a", 9), 2))
            .Apply(new TaskAttemptRecorded(Task("a", 3).TaskId, "lost"))
            .Apply(new TaskCompleted(new TaskOutcome(Task("a", 3).TaskId, Result(Task("a", 3).TaskId, 0.9), null, 1)))
            .Apply(new StudyClosed("a"));

        Assert.Equal(Json(s.ToSnapshot()), Json(later.ToSnapshot()));
        Assert.Empty(later.TasksOf("a", new HashSet<string>()));
    }

    [Fact]
    public void A_snapshot_written_before_studies_were_closed_restores_with_none_closed()
    {
        var old = new QueueSnapshot([new TaskQueued(Task("a", 0), 1)], new Dictionary<string, int>(), []);
        var s = QueueState.FromSnapshot(old);
        Assert.Empty(s.Closed);
        Assert.Equal("a/o0/t0/s0", s.Take().Task!.Task.TaskId);
    }

    [Fact]
    public void The_task_file_holds_the_views_the_queue_showed_before_closing()
    {
        using var dir = new TempDir();
        var views = TwoStudies().TasksOf("a", new HashSet<string> { Task("a", 3).TaskId });
        Assert.Contains(views, v => v.State == TaskStates.Running);

        new StudyTaskFile("a", views).Write(dir.Path);
        var read = StudyTaskFile.Read(dir.Path)!;

        Assert.Equal("a", read.StudyId);
        Assert.Equal(Json(views), Json(read.Tasks));
        Assert.False(File.Exists(StudyTaskFile.PathIn(dir.Path) + ".tmp"));
    }

    [Fact]
    public void A_missing_task_file_is_none_and_a_damaged_one_is_named_without_its_content()
    {
        using var dir = new TempDir();
        Assert.Null(StudyTaskFile.Read(dir.Path));

        File.WriteAllText(StudyTaskFile.PathIn(dir.Path), "{\"StudyId\": \"secret-content\", \"Tasks\": [");
        var e = Assert.Throws<InvalidDataException>(() => StudyTaskFile.Read(dir.Path));
        Assert.Contains(StudyTaskFile.PathIn(dir.Path), e.Message);
        Assert.DoesNotContain("secret-content", e.Message);
    }
}
