using Akka.Configuration;
using Nachos.Actors.Node;

namespace Nachos.Actors.Tests;

public sealed class IncarnationFenceTests
{
    [Fact]
    public async Task A_clean_end_removes_the_mark_so_the_next_incarnation_starts_without_waiting()
    {
        using var dir = new TempDir();
        var told = new List<string>();
        using (await IncarnationFence.Enter(dir.Path, "10.0.0.7", 4053, TimeSpan.FromHours(1), told.Add, CancellationToken.None))
            Assert.True(File.Exists(IncarnationFence.MarkPath(dir.Path, "10.0.0.7", 4053)));
        Assert.False(File.Exists(IncarnationFence.MarkPath(dir.Path, "10.0.0.7", 4053)));
        // An hour's delay would hang the test: the second incarnation does not wait at all.
        using (await IncarnationFence.Enter(dir.Path, "10.0.0.7", 4053, TimeSpan.FromHours(1), told.Add, CancellationToken.None)) { }
        Assert.Empty(told);
    }

    [Fact]
    public async Task After_an_incarnation_that_did_not_end_cleanly_the_next_one_says_so_and_waits_and_can_be_stopped_while_it_waits()
    {
        using var dir = new TempDir();
        await IncarnationFence.Enter(dir.Path, "node-3.cluster", 4053, TimeSpan.Zero, _ => { }, CancellationToken.None); // killed: never disposed
        // Another port on the same host, and the same port on another host, are other addresses.
        var others = new List<string>();
        using (await IncarnationFence.Enter(dir.Path, "node-3.cluster", 4054, TimeSpan.FromHours(1), others.Add, CancellationToken.None)) { }
        using (await IncarnationFence.Enter(dir.Path, "node-4.cluster", 4053, TimeSpan.FromHours(1), others.Add, CancellationToken.None)) { }
        Assert.Empty(others);

        var told = new List<string>();
        using var stop = new CancellationTokenSource();
        var waiting = IncarnationFence.Enter(dir.Path, "node-3.cluster", 4053, TimeSpan.FromHours(1), told.Add, stop.Token);
        Assert.Equal(["the previous node on node-3.cluster:4053 did not leave the cluster; waiting 3600 s until the cluster has downed it"], told);
        Assert.False(waiting.IsCompleted);
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.True(File.Exists(IncarnationFence.MarkPath(dir.Path, "node-3.cluster", 4053))); // still fenced for the next try
    }

    [Fact]
    public void The_wait_covers_detection_and_the_resolver_twice_over()
    {
        var config = ConfigurationFactory.ParseString("""
            akka.cluster.failure-detector.acceptable-heartbeat-pause = 3s
            akka.cluster.split-brain-resolver.stable-after = 7s
            """);
        Assert.Equal(TimeSpan.FromSeconds(22), IncarnationFence.Delay(config));
    }

    [Fact]
    public void An_IPv6_host_makes_a_plain_file_name()
    {
        Assert.Equal(Path.Combine("/c", "incarnations", "___1__4053"), IncarnationFence.MarkPath("/c", "[::1]", 4053));
    }
}
