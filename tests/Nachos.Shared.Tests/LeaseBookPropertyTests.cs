using FsCheck.Xunit;

namespace Nachos.Shared.Tests;

public sealed class LeaseBookPropertyTests
{
    /// <summary>
    /// Random sequences of submit, ask, result, late result, heartbeat, expiry, drain, interruption, device loss,
    /// journal write, queue failover and study pause/resume/cancel: after every step no task is lost, none is
    /// counted twice and none is leased to two holders; at the end every task of a live study completes once.
    /// </summary>
    [Property(MaxTest = 500, EndSize = 400)]
    public void No_task_is_lost_counted_twice_or_leased_to_two_holders(byte[] program)
    {
        var sim = new LeaseBookSimulation();
        for (var i = 0; i + 1 < program.Length; i += 2)
        {
            sim.Step(program[i], program[i + 1]);
            sim.Check();
        }
        foreach (var task in sim.RunToEnd()) Assert.True(sim.Done(task), $"{task} never completed\n{sim.Log}");
    }
}
