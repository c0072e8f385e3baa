using System.Collections.Immutable;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Study;

public abstract record QueueEvent;
public sealed record TaskQueued(TaskSpec Task, int MaxRetries) : QueueEvent;
/// <param name="Kind">Null in events written before failures had a kind.</param>
public sealed record TaskAttemptRecorded(string TaskId, string Error, FailureKind? Kind = null) : QueueEvent;
public sealed record TaskCompleted(TaskOutcome Outcome) : QueueEvent;
/// <summary>The study's pending tasks are no longer handed out (running ones finish).</summary>
public sealed record StudyPaused(string StudyId) : QueueEvent;
public sealed record StudyResumed(string StudyId) : QueueEvent;
/// <summary>Paused for good: a cancelled study cannot be resumed.</summary>
public sealed record StudyCancelled(string StudyId) : QueueEvent;
/// <summary>
/// The study finished and its task list is in its run directory (<see cref="StudyTaskFile"/>): the queue forgets its tasks,
/// keeping only how many succeeded and failed, and answers a later submission of one of them with "closed".
/// </summary>
public sealed record StudyClosed(string StudyId) : QueueEvent;
/// <summary>What the queue keeps of a closed study: its tasks' final counts.</summary>
public sealed record ClosedStudy(int Succeeded, int Failed);
/// <param name="CompletedTasks">The specs of completed tasks (configurations for the trial views); absent in snapshots written before it existed.</param>
public sealed record QueueSnapshot(
    IReadOnlyList<TaskQueued> Open,
    IReadOnlyDictionary<string, int> Attempts,
    IReadOnlyList<TaskOutcome> Completed,
    IReadOnlyList<TaskSpec>? CompletedTasks = null,
    IReadOnlyList<string>? Paused = null,
    IReadOnlyList<string>? Cancelled = null,
    IReadOnlyDictionary<string, ClosedStudy>? Closed = null);

/// <summary>What an operator asks of a study's tasks (serialised by name).</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<StudyControl>))]
public enum StudyControl
{
    Pause,
    Resume,
    Cancel,
}

/// <summary>
/// The work queue's durable state: tasks queued and not yet completed (with failed attempts so far), and
/// completed outcomes (kept so a resubmission after a crash is answered, not re-run) until their study is
/// closed (finished: then only its counts are kept, so the state and its snapshots do not grow with every
/// study a campaign ever ran). Leases are not
/// durable: after a restart every open task is pending again and resumes from its checkpoint.
/// Pending tasks are served round-robin across studies, first-in first-out within a study; a paused
/// (or cancelled) study's tasks wait in its line and are not served.
/// </summary>
public sealed record QueueState(
    ImmutableDictionary<string, TaskQueued> Open,
    ImmutableDictionary<string, int> Attempts,
    ImmutableDictionary<string, TaskOutcome> Completed,
    ImmutableSortedDictionary<string, ImmutableQueue<string>> PendingByStudy,
    string? LastServedStudy,
    ImmutableDictionary<string, TaskSpec> CompletedTasks,
    ImmutableHashSet<string> Paused,
    ImmutableHashSet<string> Cancelled,
    ImmutableSortedDictionary<string, ClosedStudy> Closed)
{
    public static readonly QueueState Empty = new(
        ImmutableDictionary<string, TaskQueued>.Empty, ImmutableDictionary<string, int>.Empty,
        ImmutableDictionary<string, TaskOutcome>.Empty, ImmutableSortedDictionary<string, ImmutableQueue<string>>.Empty, null,
        ImmutableDictionary<string, TaskSpec>.Empty, ImmutableHashSet<string>.Empty, ImmutableHashSet<string>.Empty,
        ImmutableSortedDictionary<string, ClosedStudy>.Empty.WithComparers(StringComparer.Ordinal));

    public int PendingCount => PendingByStudy.Values.Sum(q => q.Count());

    public bool IsClosed(string studyId) => Closed.ContainsKey(studyId);

    // Parsing the id costs a little on every result: only once some study is closed.
    private bool OfClosedStudy(string taskId) => !Closed.IsEmpty && IsClosed(TaskAddress.Parse(taskId).Study);

    public QueueState Apply(QueueEvent e) => e switch
    {
        // Anything of a closed study's tasks that was in flight when it closed is ignored.
        TaskQueued q when IsClosed(q.Task.StudyId) => this,
        TaskAttemptRecorded a when OfClosedStudy(a.TaskId) => this,
        TaskCompleted c when OfClosedStudy(c.Outcome.TaskId) => this,
        StudyClosed c when !IsClosed(c.StudyId) => Close(c.StudyId),
        TaskQueued q when !Open.ContainsKey(q.Task.TaskId) && !Completed.ContainsKey(q.Task.TaskId) =>
            Enqueue(this with { Open = Open.Add(q.Task.TaskId, q) }, q.Task),
        TaskAttemptRecorded a => this with { Attempts = Attempts.SetItem(a.TaskId, Attempts.GetValueOrDefault(a.TaskId) + 1) },
        TaskCompleted c => this with
        {
            Open = Open.Remove(c.Outcome.TaskId),
            Completed = Completed.SetItem(c.Outcome.TaskId, c.Outcome),
            CompletedTasks = Open.TryGetValue(c.Outcome.TaskId, out var q) ? CompletedTasks.SetItem(q.Task.TaskId, q.Task) : CompletedTasks,
        },
        StudyPaused p => this with { Paused = Paused.Add(p.StudyId) },
        StudyResumed r when !Cancelled.Contains(r.StudyId) => this with { Paused = Paused.Remove(r.StudyId) },
        StudyCancelled c => this with { Paused = Paused.Add(c.StudyId), Cancelled = Cancelled.Add(c.StudyId) },
        _ => this,
    };

    /// <summary>
    /// The event an operator's request leads to: none when the study is already so (requests are
    /// idempotent), or a refusal (a cancelled study stays cancelled).
    /// </summary>
    public (QueueEvent? Event, string? Refusal) Decide(string studyId, StudyControl control) => control switch
    {
        _ when Cancelled.Contains(studyId) && control != StudyControl.Cancel => (null, $"study {studyId} is cancelled"),
        StudyControl.Pause => (Paused.Contains(studyId) ? null : new StudyPaused(studyId), null),
        StudyControl.Resume => (Paused.Contains(studyId) ? new StudyResumed(studyId) : null, null),
        StudyControl.Cancel => (Cancelled.Contains(studyId) ? null : new StudyCancelled(studyId), null),
        _ => throw new ArgumentOutOfRangeException(nameof(control)),
    };

    /// <summary>Closing a finished study: none when it is closed already (the study repeats the request on every start).</summary>
    public StudyClosed? DecideClose(string studyId) => IsClosed(studyId) ? null : new StudyClosed(studyId);

    /// <summary>Drops every task of the study (completed, and open ones its finish left behind), keeping its counts.</summary>
    private QueueState Close(string studyId)
    {
        bool Of(string taskId) => TaskAddress.Parse(taskId).Study == studyId;
        var outcomes = Completed.Values.Where(o => Of(o.TaskId)).ToList();
        return this with
        {
            Open = Open.RemoveRange(Open.Keys.Where(Of)),
            Attempts = Attempts.RemoveRange(Attempts.Keys.Where(Of)),
            Completed = Completed.RemoveRange(outcomes.Select(o => o.TaskId)),
            CompletedTasks = CompletedTasks.RemoveRange(CompletedTasks.Keys.Where(Of)),
            PendingByStudy = PendingByStudy.Remove(studyId),
            Closed = Closed.Add(studyId, new ClosedStudy(outcomes.Count(o => o.Succeeded), outcomes.Count(o => !o.Succeeded))),
        };
    }

    public static QueueState FromSnapshot(QueueSnapshot s)
    {
        var state = Empty with
        {
            Attempts = s.Attempts.ToImmutableDictionary(),
            Completed = s.Completed.ToImmutableDictionary(o => o.TaskId),
            CompletedTasks = (s.CompletedTasks ?? []).ToImmutableDictionary(t => t.TaskId),
            Paused = (s.Paused ?? []).ToImmutableHashSet(),
            Cancelled = (s.Cancelled ?? []).ToImmutableHashSet(),
            Closed = (s.Closed ?? new Dictionary<string, ClosedStudy>()).ToImmutableSortedDictionary(StringComparer.Ordinal),
        };
        foreach (var q in s.Open) state = state.Apply(q);
        return state;
    }

    public QueueSnapshot ToSnapshot() => new(Open.Values.OrderBy(q => q.Task.TaskId, StringComparer.Ordinal).ToList(), Attempts, Completed.Values.ToList(),
        CompletedTasks.Values.ToList(), Paused.Order(StringComparer.Ordinal).ToList(), Cancelled.Order(StringComparer.Ordinal).ToList(), Closed);

    /// <summary>
    /// Puts a task back at the front of its study's line (after a lost lease, an interruption or a failed
    /// attempt): it was started already, may have a checkpoint, and the work behind it waits on it.
    /// </summary>
    public QueueState Requeue(string taskId)
    {
        if (!Open.TryGetValue(taskId, out var q)) return this;
        var line = PendingByStudy.GetValueOrDefault(q.Task.StudyId) ?? ImmutableQueue<string>.Empty;
        return this with { PendingByStudy = PendingByStudy.SetItem(q.Task.StudyId, ImmutableQueue.CreateRange(line.Prepend(taskId))) };
    }

    private static QueueState Enqueue(QueueState s, TaskSpec t) =>
        s with { PendingByStudy = s.PendingByStudy.SetItem(t.StudyId, (s.PendingByStudy.GetValueOrDefault(t.StudyId) ?? ImmutableQueue<string>.Empty).Enqueue(t.TaskId)) };

    /// <summary>The next pending task, taking studies that are not paused in turn after the one served last.</summary>
    public (QueueState State, TaskQueued? Task) Take()
    {
        var lines = PendingByStudy;
        while (true)
        {
            var studies = lines.Where(kv => !kv.Value.IsEmpty && !Paused.Contains(kv.Key)).Select(kv => kv.Key).ToList();
            if (studies.Count == 0) return (this with { PendingByStudy = lines }, null);
            var next = studies.FirstOrDefault(s => string.CompareOrdinal(s, LastServedStudy) > 0) ?? studies[0];
            lines = lines.SetItem(next, lines[next].Dequeue(out var id));
            // A task completed while a stale copy sat in the line is dropped; the study keeps its turn.
            if (Open.TryGetValue(id, out var task))
                return (this with { PendingByStudy = lines, LastServedStudy = next }, task);
        }
    }

    /// <summary>
    /// What a failed attempt leads to: another try when the failure is transient and retries are left, else the
    /// final failure (a deterministic failure would fail the same way again from the same checkpoint).
    /// </summary>
    public QueueEvent AfterFailure(string taskId, string error, FailureKind? kind)
    {
        var attempts = Attempts.GetValueOrDefault(taskId) + 1;
        return attempts > Open[taskId].MaxRetries || !kind.IsTransient()
            ? new TaskCompleted(new TaskOutcome(taskId, null, error, attempts, kind))
            : new TaskAttemptRecorded(taskId, error, kind);
    }
}
