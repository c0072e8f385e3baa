namespace Nachos.Shared.Monitoring;

/// <summary>How long each device has held a task since it was first seen. Times are seconds on any monotonic clock.</summary>
public sealed class DeviceUsage
{
    private sealed record Entry(double FirstSeen, double? BusySince, double BusyTotal);

    private readonly Dictionary<string, Entry> _devices = [];

    public void Seen(string device, double now)
    {
        if (!_devices.ContainsKey(device)) _devices[device] = new Entry(now, null, 0);
    }

    public void Busy(string device, double now)
    {
        Seen(device, now);
        if (_devices[device].BusySince is null) _devices[device] = _devices[device] with { BusySince = now };
    }

    public void Idle(string device, double now)
    {
        if (_devices.TryGetValue(device, out var e) && e.BusySince is { } since)
            _devices[device] = e with { BusySince = null, BusyTotal = e.BusyTotal + (now - since) };
    }

    public void Forget(string device) => _devices.Remove(device);

    /// <returns>Seconds busy and the fraction of the time since first seen; zeros for an unknown device.</returns>
    public (double BusySeconds, double Ratio) Of(string device, double now)
    {
        if (!_devices.TryGetValue(device, out var e)) return (0, 0);
        var busy = e.BusyTotal + (e.BusySince is { } since ? now - since : 0);
        var seen = now - e.FirstSeen;
        return (busy, seen > 0 ? Math.Clamp(busy / seen, 0, 1) : 0);
    }
}
