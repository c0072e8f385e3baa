using System.Collections.Concurrent;
using Akka.Actor;
using Nachos.Actors.Devices;
using Nachos.Shared.Monitoring;

namespace Nachos.Host.Api;

/// <summary>How long this node's devices took per task attempt, by outcome (succeeded, failed, interrupted, revoked), from <see cref="DeviceRanTask"/>.</summary>
public sealed class TaskDurations
{
    private readonly ConcurrentDictionary<string, Histogram> _byOutcome = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, HistogramSnapshot> Snapshot() =>
        _byOutcome.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => kv.Value.Snapshot());

    public void Observe(DeviceRanTask t)
    {
        // Failures carry their error after the word ("failed (…)"): one label value per kind.
        var outcome = t.Outcome.Split(' ', 2)[0];
        _byOutcome.GetOrAdd(outcome, _ => new Histogram(Histogram.TaskSeconds)).Observe(t.Seconds);
    }

    /// <summary>Subscribes to the node's event stream.</summary>
    public void Start(ActorSystem system) => system.ActorOf(Props.Create(() => new Listener(this)), "task-durations");

    private sealed class Listener : ReceiveActor
    {
        public Listener(TaskDurations durations) => Receive<DeviceRanTask>(durations.Observe);

        protected override void PreStart() => Context.System.EventStream.Subscribe(Self, typeof(DeviceRanTask));
    }
}
