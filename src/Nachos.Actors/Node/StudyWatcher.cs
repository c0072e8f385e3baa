using Akka.Actor;
using Nachos.Actors.Messages;

namespace Nachos.Actors.Node;

/// <summary>
/// On coordinator nodes: starts every submitted study that has no report yet, and pokes it again every
/// interval. Starting is idempotent; the pokes bring a campaign's entities back after every node was
/// down, and re-drive a study whose messages were lost while shards moved.
/// </summary>
public sealed class StudyWatcher : ReceiveActor, IWithTimers
{
    private sealed record Poll
    {
        public static readonly Poll Instance = new();
    }

    private readonly TimeSpan _interval;

    public ITimerScheduler Timers { get; set; } = null!;

    public StudyWatcher(IActorRef studies, Func<IReadOnlyList<StartStudy>> unfinished, TimeSpan interval)
    {
        _interval = interval;
        Receive<Poll>(_ =>
        {
            foreach (var start in unfinished()) studies.Tell(new ShardEnvelope(start.StudyId, start));
        });
    }

    protected override void PreStart()
    {
        Self.Tell(Poll.Instance);
        Timers.StartPeriodicTimer("poll", Poll.Instance, _interval);
    }
}
