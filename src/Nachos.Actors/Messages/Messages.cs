using Nachos.Shared.Study;
using Nachos.Shared.TaskProcess;
using Nachos.Shared.Tasks;

namespace Nachos.Actors.Messages;

/// <summary>Marks every message and event this project serialises (bound to NachosSerializer).</summary>
public interface INachosMessage;

/// <summary>Routes a message to a sharded entity by id.</summary>
public sealed record ShardEnvelope(string EntityId, object Message) : INachosMessage;

/// <summary>Starts (or re-pokes) a study with what its entities need of its spec and plan.</summary>
public sealed record StartStudy(string StudyId, StudyBrief Brief) : INachosMessage;
/// <summary>Starts (or re-pokes) an outer fold; the fold journals <paramref name="Start"/>.</summary>
public sealed record StartFold(FoldStarted Start) : INachosMessage;
public sealed record StartTrial(TrialRequested Request) : INachosMessage;
public sealed record TrialReport(TrialResult Result) : INachosMessage;
public sealed record FoldReport(FoldResult Result) : INachosMessage;

/// <summary>Queue a task (idempotent by task id); the outcome goes to the task's owner entity.</summary>
public sealed record SubmitTask(TaskSpec Task, int MaxRetries) : INachosMessage;
/// <summary>A device is idle and wants a task.</summary>
public sealed record RequestWork(string Device) : INachosMessage;
public sealed record WorkAssigned(TaskSpec Task, long Lease, int Attempt) : INachosMessage;
public sealed record TaskSucceeded(string TaskId, long Lease, TrainingResult Result) : INachosMessage;
/// <param name="Kind">Decides whether the queue retries (only transient kinds are); null from a sender that predates kinds.</param>
public sealed record TaskAttemptFailed(string TaskId, long Lease, string Error, FailureKind? Kind = null) : INachosMessage;
/// <summary>The attempt was stopped from outside (Ctrl-C, SIGTERM, a busy device): requeue it without counting an attempt.</summary>
public sealed record TaskInterrupted(string TaskId, long Lease) : INachosMessage;
/// <summary>A busy device says it still runs this lease; a queue that lost its leases (failover) adopts it.</summary>
/// <param name="Progress">The task's latest finished epoch (null before its first, and from a sender that predates it).</param>
public sealed record LeaseHeartbeat(string TaskId, long Lease, string Device, EpochProgress? Progress = null) : INachosMessage;
/// <summary>The lease is no longer the task's (expired, reassigned or the task completed): stop running it.</summary>
public sealed record LeaseRevoked(string TaskId, long Lease) : INachosMessage;
/// <summary>Sent to the owner entity: the task's final outcome.</summary>
public sealed record TaskFinished(TaskOutcome Outcome) : INachosMessage;
/// <summary>
/// A finished study tells the queue to close it: the queue writes its task list to <paramref name="Directory"/>
/// (tasks.json) and forgets its tasks (idempotent; sent on every start of a finished study).
/// </summary>
public sealed record CloseStudy(string StudyId, string Directory) : INachosMessage;
/// <summary>Sent to the owner entity instead of a result: the task's study is closed, so the task is not run; the owner stops.</summary>
public sealed record TaskStudyClosed(string TaskId) : INachosMessage;

/// <summary>A node is leaving: the device interrupts its task (which checkpoints), hands it back to the queue and stops asking for work.</summary>
public sealed record DrainDevice : INachosMessage
{
    public static readonly DrainDevice Instance = new();
}
public sealed record DeviceDrained(string Device) : INachosMessage;

/// <summary>
/// Each time a device ends a task attempt: published on its node's event stream (the node's log) and told to
/// the work queue, which keeps the cluster's task durations for /metrics.
/// </summary>
/// <param name="Outcome">succeeded, failed, interrupted or revoked (one metrics label value each).</param>
/// <param name="Kind">Why a failed attempt failed, with <paramref name="Error"/>.</param>
public sealed record DeviceRanTask(string Device, string TaskId, int Attempt, string Outcome, double Seconds, FailureKind? Kind = null, string? Error = null) : INachosMessage;

/// <summary>Queue counters, for progress displays and metrics.</summary>
public sealed record GetQueueStatus : INachosMessage
{
    public static readonly GetQueueStatus Instance = new();
}
public sealed record QueueStatus(int Pending, int Running, int Completed, int Failed, int Devices) : INachosMessage;

/// <summary>Published on the node's event stream as the study moves, for the CLI's live display.</summary>
public sealed record StudyProgress(string StudyId, int Outer, int TrialsStarted, int TrialsFinished, int TrialsFailed, int Trials, bool FoldDone) : INachosMessage;
public sealed record StudyCompleted(string StudyId, StudyReport Report) : INachosMessage;
