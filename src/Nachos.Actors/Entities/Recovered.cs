namespace Nachos.Actors.Entities;

/// <summary>An entity tells itself this after replaying its journal, to pick up where it stood (a local message, never sent elsewhere).</summary>
internal sealed class Recovered
{
    public static readonly Recovered Instance = new();
}
