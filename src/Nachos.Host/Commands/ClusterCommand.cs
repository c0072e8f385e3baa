using System.CommandLine;
using Nachos.Host.Api;
using Nachos.Host.Client;
using Nachos.Host.Cli;
using Nachos.Host.Contract;

namespace Nachos.Host.Commands;

/// <summary><c>nachos cluster show | leave ADDR | down ADDR</c>.</summary>
public static class ClusterCommand
{
    public static Command Create()
    {
        var cluster = new Command("cluster", "the cluster's members (through the control API)");
        cluster.Subcommands.Add(NodeClientCommands.Members("show"));
        cluster.Subcommands.Add(Act("leave", "ask a member to leave gracefully (its running tasks checkpoint and go back to the queue)"));
        cluster.Subcommands.Add(Act("down", "mark an unreachable member down, so its work moves on without waiting for it"));
        return cluster;
    }

    private static Command Act(string action, string description)
    {
        var address = new Argument<string>("address") { Description = "member address: host:port or akka.ssl.tcp://nachos@host:port" };
        var command = new Command(action, description) { address };
        ClientAction.Set(command, async (r, client, _) =>
        {
            var answer = await client.Post<ClusterActionResponse>($"api/cluster/{action}", new AddressRequest(r.GetValue(address)));
            Console.WriteLine($"{answer.Address}: {action} requested");
            return ExitCodes.Ok;
        });
        return command;
    }
}
