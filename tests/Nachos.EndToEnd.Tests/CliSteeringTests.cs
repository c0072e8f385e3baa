using System.Net.Http.Json;
using Nachos.Host.Api;
using Nachos.Host.Contract;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// Steering through the CLI on a node of its own (it is downed at the end): a study paused, resumed and
/// cancelled with <c>nachos study</c>, then the node itself marked down with <c>nachos cluster down</c>.
/// </summary>
public sealed class CliSteeringTests(ApiNode node) : IClassFixture<ApiNode>
{
    private static string Why((int Code, string Output, string Error) r) => $"exit {r.Code}\n{r.Output}\n{r.Error}";

    [Fact]
    public async Task Study_pause_resume_cancel_and_cluster_down_through_the_cli()
    {
        File.WriteAllText(Path.Combine(node.WorkDir, "steer.yaml"), ApiNode.Spec("steer", 0.5));
        Assert.True(node.Cli("study", "submit", "steer.yaml").Code == 0);
        await node.WaitFor("steer", s => s.Progress.TasksEnded >= 1, TimeSpan.FromMinutes(2));

        var pause = node.Cli("study", "pause", "steer");
        Assert.True(pause.Code == 0, Why(pause));
        Assert.Contains("steer: paused", pause.Output);
        Assert.Equal(StudyStates.Paused, (await node.Study("steer")).State);
        var resume = node.Cli("study", "resume", "steer");
        Assert.True(resume.Code == 0, Why(resume));
        Assert.Contains("steer: running", resume.Output);
        var cancel = node.Cli("study", "cancel", "steer");
        Assert.True(cancel.Code == 0, Why(cancel));
        Assert.Contains("steer: cancelled", cancel.Output);
        var show = node.Cli("study", "show", "steer");
        Assert.Contains("cancelled", show.Output);
        Assert.Equal(5, node.Cli("study", "pause", "nope").Code);

        var self = Assert.Single((await node.Http.GetFromJsonAsync<NodeList>("api/nodes", ApiJson.Options))!.Nodes).Address;
        var stranger = node.Cli("cluster", "down", "127.0.0.1:1");
        Assert.Equal(5, stranger.Code);
        Assert.Contains("is not a member", stranger.Error);
        var down = node.Cli("cluster", "down", self);
        Assert.True(down.Code == 0, Why(down));
        Assert.Contains($"{self}: down requested", down.Output);
        // Downed, the node removes itself from the cluster and exits 1 for its restart policy.
        Assert.Equal(1, node.WaitForExit(TimeSpan.FromMinutes(1)));
        Assert.Contains("this node was removed from the cluster", node.Logs);
    }
}
