using Nachos.Shared.Monitoring;

namespace Nachos.Shared.Tests;

public sealed class MonitoringTests
{
    [Fact]
    public void A_histogram_counts_each_observation_in_the_first_bucket_whose_bound_it_does_not_exceed()
    {
        var h = new Histogram([1, 5]);
        foreach (var v in new[] { 0.5, 1, 3, 5, 9, 100 }) h.Observe(v);

        var s = h.Snapshot();

        Assert.Equal([2L, 2, 2], s.Counts);
        Assert.Equal(6, s.Count);
        Assert.Equal(118.5, s.Sum);
        Assert.Equal([1.0, 5], s.Bounds);
    }

    [Fact]
    public void Device_usage_adds_busy_spells_including_the_current_one()
    {
        var u = new DeviceUsage();
        u.Seen("cpu0", 10);
        u.Busy("cpu0", 12);
        u.Busy("cpu0", 13); // already busy: the spell still started at 12
        u.Idle("cpu0", 16);
        u.Busy("cpu0", 18);

        var (busy, ratio) = u.Of("cpu0", 20);

        Assert.Equal(6, busy);
        Assert.Equal(0.6, ratio, 12);
        Assert.Equal((0.0, 0.0), u.Of("cpu9", 20));
        u.Forget("cpu0");
        Assert.Equal((0.0, 0.0), u.Of("cpu0", 20));
    }
}
