using System.CommandLine;
using Nachos.Host.Api;
using Nachos.Host.Client;
using Spectre.Console;
using Nachos.Host.Cli;
using Nachos.Host.Contract;

namespace Nachos.Host.Commands;

/// <summary><c>nachos node list | drain NODE</c>: the client side of the <c>node</c> palette.</summary>
public static class NodeClientCommands
{
    public static void AddTo(Command node)
    {
        var list = Members("list");
        var address = new Argument<string>("node") { Description = "node address: host:port or akka.ssl.tcp://nachos@host:port" };
        var drain = new Command("drain", "the node's devices hand their tasks back (after a checkpoint) and take no more work until the node restarts") { address };
        ClientAction.Set(drain, async (r, client, _) =>
        {
            var answer = await client.Post<ClusterActionResponse>("api/nodes/drain", new AddressRequest(r.GetValue(address)));
            Console.WriteLine(answer.Devices.Count == 0
                ? $"{answer.Address}: no devices to drain"
                : $"{answer.Address}: draining {string.Join(", ", answer.Devices)}");
            return ExitCodes.Ok;
        });
        node.Subcommands.Add(list);
        node.Subcommands.Add(drain);
    }

    /// <summary><c>node list</c> and its alias <c>cluster show</c>: one implementation under both names.</summary>
    public static Command Members(string name)
    {
        var command = new Command(name, "the cluster's members, their status and roles, and each device: idle, busy (with its task) or drained");
        ClientAction.Set(command, async (_, client, _) =>
        {
            AnsiConsole.Write(Tables.Nodes(await client.Get<NodeList>("api/nodes")));
            return ExitCodes.Ok;
        });
        return command;
    }
}
