using System.Text.Json.Serialization;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Study;

/// <summary>Where a task stands in the queue.</summary>
public static class TaskStates
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [Pending, Running, Succeeded, Failed];
}

/// <summary>What the views need of a succeeded task's result (kept small: the views cross the network in one message).</summary>
/// <param name="EpochsRun">The training's epochs so far (a rung's continuation counts its earlier rungs too); 0 in views written before costs.</param>
public sealed record TaskScores(int BestEpoch, double? ValidationLoss, IReadOnlyDictionary<string, double?> ValidationMetrics,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int EpochsRun = 0)
{
    public static TaskScores Of(TrainingResult r) => new(r.BestEpoch, r.ValidationLoss, r.ValidationMetrics, r.EpochsRun);
}

/// <summary>
/// One task of a study as the queue knows it. <paramref name="Trial"/> of a refit is the chosen trial, null
/// when the queue no longer holds the task's spec (completed before specs were kept).
/// </summary>
/// <param name="Kind">Of a failed task; null when its outcome was persisted before failures had a kind.</param>
/// <param name="Progress">Of a running task: its latest finished epoch, as its device last heartbeat it.</param>
/// <param name="Seconds">A succeeded task's measured training time (its last attempt's), for the progress's time estimate.</param>
public sealed record TaskView(string TaskId, int Outer, int? Trial, int? Inner, string State, Hyperparameters? Config, TaskScores? Scores, string? Error, int Attempts, FailureKind? Kind = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] EpochProgress? Progress = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Seconds = null)
{
    public bool IsRefit => Inner is null && !IsStress;

    /// <summary>The stress test of the fold's refit (<c>study/o{k}/stress</c>): an evaluation, counted apart from the trainings.</summary>
    public bool IsStress => Inner is null && TaskAddress.TryParse(TaskId, out var a) && a.IsStress;

    public bool Ended => State is TaskStates.Succeeded or TaskStates.Failed;
}

/// <summary>A study's tasks by state, as counted by the queue.</summary>
public sealed record StudyCounts(string StudyId, int Pending, int Running, int Succeeded, int Failed, bool Paused, bool Cancelled);

/// <summary>Read-only views of the queue for progress displays, the control API and metrics.</summary>
public static class QueueViews
{
    /// <param name="running">Ids of the tasks a device holds a lease on (leases are not part of the durable state).</param>
    /// <param name="progress">The latest finished epoch of running tasks, by id.</param>
    public static IReadOnlyList<TaskView> TasksOf(this QueueState state, string studyId, IReadOnlySet<string> running,
        IReadOnlyDictionary<string, EpochProgress>? progress = null)
    {
        var views = new List<TaskView>();
        foreach (var q in state.Open.Values.Where(q => q.Task.StudyId == studyId))
            views.Add(new TaskView(q.Task.TaskId, q.Task.Outer, q.Task.Trial, q.Task.Inner,
                running.Contains(q.Task.TaskId) ? TaskStates.Running : TaskStates.Pending, q.Task.Hyperparameters, null, null,
                state.Attempts.GetValueOrDefault(q.Task.TaskId), null,
                running.Contains(q.Task.TaskId) ? progress?.GetValueOrDefault(q.Task.TaskId) : null));
        foreach (var (o, address) in state.Completed.Values.Select(o => (o, TaskAddress.Parse(o.TaskId))).Where(c => c.Item2.Study == studyId))
        {
            var spec = state.CompletedTasks.GetValueOrDefault(o.TaskId);
            var (outer, trial, inner) = spec is null ? (address.Outer, address.Trial, address.Split) : (spec.Outer, spec.Trial, spec.Inner);
            views.Add(new TaskView(o.TaskId, outer, trial, inner, o.Succeeded ? TaskStates.Succeeded : TaskStates.Failed,
                spec?.Hyperparameters, o.Result is null ? null : TaskScores.Of(o.Result), o.Error, o.Attempts, o.Succeeded ? null : o.Kind,
                Seconds: o.Result?.Seconds));
        }
        views.Sort((a, b) => string.CompareOrdinal(a.TaskId, b.TaskId));
        return views;
    }

    /// <summary>
    /// One task per training: under a scheduler a training's rungs are tasks of their own (…/s{j}/e{B}), and where it stands
    /// is its latest (the full training, without a budget, last). Without a scheduler this is every task.
    /// </summary>
    public static IReadOnlyList<TaskView> LatestPerTraining(IReadOnlyList<TaskView> tasks)
    {
        var addressed = tasks.Select(t => (Task: t, Address: TaskAddress.TryParse(t.TaskId, out var a) ? a : null)).ToList();
        return addressed.All(x => x.Address?.Budget is null) ? tasks
            : addressed.GroupBy(x => x.Address?.Training.ToString() ?? x.Task.TaskId)
                .Select(g => g.MaxBy(x => x.Address?.Budget ?? int.MaxValue).Task)
                .OrderBy(t => t.TaskId, StringComparer.Ordinal)
                .ToList();
    }

    /// <summary>Every study the queue has seen a task of (or a pause or cancel for), with its counts; a closed study's are the counts it closed with.</summary>
    public static IReadOnlyList<StudyCounts> CountsByStudy(this QueueState state, IReadOnlySet<string> running)
    {
        var counts = new SortedDictionary<string, int[]>(StringComparer.Ordinal);
        int[] Of(string study) => counts.TryGetValue(study, out var c) ? c : counts[study] = new int[4];
        foreach (var q in state.Open.Values) Of(q.Task.StudyId)[running.Contains(q.Task.TaskId) ? 1 : 0]++;
        foreach (var o in state.Completed.Values) Of(TaskAddress.Parse(o.TaskId).Study)[o.Succeeded ? 2 : 3]++;
        foreach (var s in state.Paused) Of(s);
        foreach (var (s, closed) in state.Closed)
        {
            Of(s)[2] += closed.Succeeded;
            Of(s)[3] += closed.Failed;
        }
        return counts.Select(kv => new StudyCounts(kv.Key, kv.Value[0], kv.Value[1], kv.Value[2], kv.Value[3],
            state.Paused.Contains(kv.Key), state.Cancelled.Contains(kv.Key))).ToList();
    }

    /// <summary>The counts of one study's tasks.</summary>
    public static StudyCounts CountsOf(string studyId, IReadOnlyList<TaskView> tasks, bool paused, bool cancelled) =>
        new(studyId, tasks.Count(t => t.State == TaskStates.Pending), tasks.Count(t => t.State == TaskStates.Running),
            tasks.Count(t => t.State == TaskStates.Succeeded), tasks.Count(t => t.State == TaskStates.Failed), paused, cancelled);
}
