namespace Nachos.Shared.Tests;

/// <summary>A clock that moves only when told: timestamps in 100-ns ticks from an arbitrary start.</summary>
public sealed class ManualClock : TimeProvider
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
    private long _ticks;

    public void Advance(TimeSpan by) => _ticks += by.Ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks;

    public override DateTimeOffset GetUtcNow() => Start.AddTicks(_ticks);
}
