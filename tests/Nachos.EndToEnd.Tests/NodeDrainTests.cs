using System.Net;
using System.Net.Http.Json;
using Nachos.Host.Api;
using Nachos.Host.Contract;

namespace Nachos.EndToEnd.Tests;

/// <summary>Draining a node's devices and asking it to leave, through the API and the CLI.</summary>
public sealed class NodeDrainTests(ApiNode node) : IClassFixture<ApiNode>
{
    [Fact]
    public async Task A_drained_node_hands_its_tasks_back_and_takes_no_more_then_leaves_when_asked()
    {
        Assert.Equal(HttpStatusCode.Created, (await node.Submit(ApiNode.Spec("drained", 0.3))).StatusCode);
        await node.WaitFor("drained", s => s.Progress.Running == 2, TimeSpan.FromMinutes(2));
        var self = (await node.Http.GetFromJsonAsync<NodeList>("api/nodes", ApiJson.Options))!;
        var member = Assert.Single(self.Nodes);
        Assert.Equal(["busy", "busy"], member.Devices.Select(d => d.State));
        Assert.All(member.Devices, d => Assert.StartsWith("drained/o", d.Task));

        var drain = node.Cli("node", "drain", member.Address);
        Assert.True(drain.Code == 0, drain.Output + drain.Error);
        Assert.Contains("draining cpu0, cpu1", drain.Output);

        // The running tasks are interrupted and go back to the queue; nothing else starts here.
        var handedBack = await node.WaitFor("drained", s => s.Progress.Running == 0, TimeSpan.FromSeconds(30));
        var results = node.Results("drained");
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.Equal(results, node.Results("drained"));
        Assert.True(handedBack.Folds.Sum(f => f.Pending) >= 2, "the interrupted tasks are pending again");
        var after = (await node.Http.GetFromJsonAsync<NodeList>("api/nodes", ApiJson.Options))!;
        Assert.Equal(["drained", "drained"], Assert.Single(after.Nodes).Devices.Select(d => d.State));

        using var leave = await node.Http.PostAsJsonAsync("api/cluster/leave", new AddressRequest(member.Address.Replace("akka.ssl.tcp://nachos@", "")));
        Assert.Equal(HttpStatusCode.Accepted, leave.StatusCode);
        Assert.Equal(0, node.WaitForExit(TimeSpan.FromMinutes(1)));
        Assert.Contains("left", node.Logs);
    }
}
