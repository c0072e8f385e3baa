using Nachos.Shared.Monitoring;
using Nachos.Shared.Study;

namespace Nachos.Actors.Messages;

/// <summary>Pause, resume or cancel a study's tasks in the work queue; answered with <see cref="StudyControlled"/> once persisted.</summary>
public sealed record ControlStudy(string StudyId, StudyControl Control) : INachosMessage;
public sealed record StudyControlled(string StudyId, StudyControl Control, bool Paused, bool Cancelled, string? Refusal) : INachosMessage;

/// <summary>Every task of a study the queue knows, with its state; answered with <see cref="StudyTasks"/>.</summary>
public sealed record GetStudyTasks(string StudyId) : INachosMessage;
public sealed record StudyTasks(string StudyId, IReadOnlyList<TaskView> Tasks, bool Paused, bool Cancelled) : INachosMessage;

/// <summary>Counts per study, the devices the queue knows and its journal latency; answered with <see cref="QueueOverview"/>.</summary>
public sealed record GetQueueOverview : INachosMessage
{
    public static readonly GetQueueOverview Instance = new();
}
/// <param name="TaskDurations">Task attempts the devices of the cluster ended since this queue incarnation started, by outcome.</param>
public sealed record QueueOverview(IReadOnlyList<StudyCounts> Studies, IReadOnlyList<DeviceView> Devices, HistogramSnapshot JournalWrites,
    IReadOnlyDictionary<string, HistogramSnapshot>? TaskDurations = null) : INachosMessage;

/// <summary>A device as the queue sees it: idle (asked for work), busy (holds a lease) or drained; busy time since the queue first saw it.</summary>
public sealed record DeviceView(string Node, string Device, string State, string? TaskId, double BusySeconds, double BusyRatio);

/// <summary>Every device of the node at <paramref name="Address"/> hands its task back and takes no more work.</summary>
public sealed record DrainNode(string Address) : INachosMessage;
public sealed record NodeDraining(string Address, IReadOnlyList<string> Devices) : INachosMessage;
