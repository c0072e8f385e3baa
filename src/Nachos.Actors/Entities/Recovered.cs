namespace Nachos.Actors.Entities;

/// <summary>An entity tells itself this after replaying its journal, to pick up where it stood (a local message, never sent elsewhere).</summary>
internal sealed class Recovered
{
    public static readonly Recovered Instance = new();
}

/// <summary>
/// A timer tick: entities resubmit the tasks they still wait for. Submitting is idempotent, and this
/// covers a submission or an outcome lost while the queue moved or restarted.
/// </summary>
internal sealed class Resubmit
{
    public static readonly Resubmit Instance = new();
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);
}

/// <summary>
/// What the shard tells an entity that asked to be passivated. Not a PoisonPill: as a command it waits
/// behind journal writes in flight, where a PoisonPill would stop the entity before they are applied.
/// </summary>
internal sealed class StopEntity
{
    public static readonly StopEntity Instance = new();
}
