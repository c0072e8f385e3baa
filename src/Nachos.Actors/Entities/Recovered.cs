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
