using System.CommandLine;
using System.Runtime.InteropServices;
using Akka.Actor;
using Akka.Cluster;
using Nachos.Actors.Storage;
using Nachos.Actors.Devices;
using Nachos.Actors.Messages;
using Nachos.Actors.Node;
using Nachos.Host.Api;
using Nachos.Host.Running;
using Nachos.Shared.Tasks;
using Nachos.Shared.Study;
using Nachos.Host.Cli;
using Nachos.Host.Contract;

namespace Nachos.Host.Commands;

/// <summary>
/// <c>nachos node</c>: one member of a cluster. Coordinators host the studies' entities and the work
/// queue and start every study submitted to ROOT/studies; workers run tasks on their devices. Every
/// option falls back to a NACHOS_* environment variable (docs/operations.md). SIGTERM leaves the
/// cluster gracefully: running tasks checkpoint and go back to the queue at once. Coordinators serve the
/// control API, the dashboard and /metrics over HTTP (docs/api.md). Its subcommands <c>list</c> and
/// <c>drain</c> are clients of that API (<see cref="NodeClientCommands"/>).
/// </summary>
public static class NodeCommand
{
    public static Command Create()
    {
        var root = GlobalOptions.Root;
        var seeds = new Option<string[]>("--seed") { Description = "host:port of a seed node, repeatable; none: this node starts a cluster [NACHOS_SEEDS, comma-separated]", AllowMultipleArgumentsPerToken = false };
        var roles = new Option<string?>("--roles") { Description = "coordinator,worker (default both) [NACHOS_ROLES]" };
        var devices = new Option<string?>("--devices") { Description = "auto | cpu:N | cuda:0,1 (default auto) [NACHOS_DEVICES]" };
        var host = new Option<string?>("--public-host") { Description = "address other nodes reach this one at (default 127.0.0.1) [NACHOS_HOST]" };
        var port = new Option<int?>("--port") { Description = "cluster port (default 4053) [NACHOS_PORT]" };
        var postgres = new Option<string?>("--postgres") { Description = "Npgsql connection string of the shared journal; without it a SQLite journal in ROOT (one node only) [NACHOS_POSTGRES]" };
        var apiPort = new Option<int?>("--api-port") { Description = "HTTP port of the control API, dashboard and /metrics on coordinators (default 5080, 0 = a free port) [NACHOS_API_PORT]" };
        var apiHost = new Option<string?>("--api-host") { Description = "address the HTTP server binds (default 127.0.0.1; 0.0.0.0 for every interface) [NACHOS_API_HOST]" };
        var dataRoots = new Option<string[]>("--data-root") { Description = "a folder specs submitted through the API may read data from, besides ROOT; repeatable [NACHOS_DATA_ROOTS, ':'-separated]", AllowMultipleArgumentsPerToken = false };
        var campaignKey = new Option<string?>("--campaign-key") { Description = $"the campaign key file the nodes authenticate each other with (default ROOT/{CampaignKey.FileName}) [NACHOS_CAMPAIGN_KEY]" };
        var command = new Command("node", "run a cluster node (coordinator and/or worker); `node list`, `node drain` ask a running cluster")
        {
            root, seeds, roles, devices, host, port, postgres, apiPort, apiHost, dataRoots, campaignKey,
        };
        command.SetAction((r, _) =>
        {
            var api = new ApiBinding(OptionOrEnvironment.Text(r, apiHost, "NACHOS_API_HOST") ?? "127.0.0.1",
                OptionOrEnvironment.Number(r, apiPort, "NACHOS_API_PORT") ?? 5080, OptionOrEnvironment.List(r, dataRoots, "NACHOS_DATA_ROOTS", ':'));
            return Run(OptionOrEnvironment.Text(r, root, "NACHOS_ROOT"), OptionOrEnvironment.List(r, seeds, "NACHOS_SEEDS", ','),
                OptionOrEnvironment.Text(r, roles, "NACHOS_ROLES") ?? "coordinator,worker", OptionOrEnvironment.Text(r, devices, "NACHOS_DEVICES") ?? "auto",
                OptionOrEnvironment.Text(r, host, "NACHOS_HOST") ?? "127.0.0.1", OptionOrEnvironment.Number(r, port, "NACHOS_PORT") ?? 4053,
                OptionOrEnvironment.Text(r, postgres, "NACHOS_POSTGRES"), api, OptionOrEnvironment.Text(r, campaignKey, "NACHOS_CAMPAIGN_KEY"));
        });
        NodeClientCommands.AddTo(command);
        return command;
    }

    /// <summary>
    /// The cluster transport lets a second process listen on a taken port, so check first, on the address
    /// the transport binds (its public host when that is an IP address: nodes on 127.0.0.1 and 127.0.0.2 may
    /// share a port), else on every address.
    /// </summary>
    private static bool PortFree(string host, int port)
    {
        try
        {
            var address = System.Net.IPAddress.TryParse(host, out var ip) ? ip : System.Net.IPAddress.Any;
            var probe = new System.Net.Sockets.TcpListener(address, port);
            probe.Start();
            probe.Stop();
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }

    private sealed record ApiBinding(string Host, int Port, IReadOnlyList<string> DataRoots);

    private static async Task<int> Run(string? root, string[] seeds, string roleList, string deviceSpec, string host, int port, string? postgres, ApiBinding api, string? campaignKey)
    {
        if (root is null) return ExitCodes.Refuse("--root (or NACHOS_ROOT) is required: the campaign directory every node shares");
        var roles = roleList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = roles.FirstOrDefault(r => r is not (NodeOptions.Coordinator or NodeOptions.Worker));
        if (unknown is not null || roles.Length == 0) return ExitCodes.Refuse($"--roles {roleList}: roles are 'coordinator' and 'worker'");
        if (port is < 0 or > 65535) return ExitCodes.Refuse($"--port {port}: not a TCP port");
        if (api.Port is < 0 or > 65535) return ExitCodes.Refuse($"--api-port {api.Port}: not a TCP port");
        if (!System.Net.IPAddress.TryParse(api.Host, out _) && api.Host != "localhost")
            return ExitCodes.Refuse($"--api-host {api.Host}: expected an IP address to bind (127.0.0.1, 0.0.0.0, ::) or localhost");
        if (api.DataRoots.FirstOrDefault(d => !Path.IsPathFullyQualified(d) || !Directory.Exists(d)) is { } badRoot)
            return ExitCodes.Refuse($"--data-root {badRoot}: expected an absolute path of an existing folder");
        var badSeed = seeds.FirstOrDefault(s => !System.Text.RegularExpressions.Regex.IsMatch(s, @"^[^:\s]+:\d{1,5}$"));
        if (badSeed is not null) return ExitCodes.Refuse($"--seed {badSeed}: expected host:port");
        // Its own address as the only seed is a one-node cluster; any other seed means several nodes.
        if (seeds.FirstOrDefault(s => s != $"{host}:{port}") is { } other && postgres is null)
            return ExitCodes.Refuse($"--seed {other} without --postgres: a SQLite journal takes one node; the nodes of a cluster share one PostgreSQL journal (--postgres or NACHOS_POSTGRES)");
        if (DeviceList.Parse(deviceSpec) is not { } deviceNames) return ExitCodes.Refuse($"--devices {deviceSpec}: expected auto, cpu:N or cuda:0,1");

        if (port > 0 && !PortFree(host, port))
            return ExitCodes.Refuse($"--port {port}: already in use on this machine (another nachos node?); two nodes on one address would form two clusters");

        root = Path.GetFullPath(root);
        if (roles.Contains(NodeOptions.Coordinator))
        {
            try
            {
                ApiToken.Read(root); // a damaged token file is told before anything starts
            }
            catch (ApiTokenException e)
            {
                return ExitCodes.Refuse(e.Message);
            }
        }
        var options = new NodeOptions
        {
            WorkDir = root, Roles = roles, Seeds = seeds, Host = host, Port = port, Devices = deviceNames, Postgres = postgres, LogLevel = "WARNING",
            CampaignKeyFile = campaignKey is null ? null : Path.GetFullPath(campaignKey),
        };
        var catalog = RunDirectoryCatalog.ForCampaign(root);
        Console.WriteLine($"nachos node: root {root}, devices {string.Join(",", deviceNames)}");
        foreach (var (key, value) in NodeConfig.Describe(NodeConfig.Build(options, RunLayout.JournalPath(root))))
            Console.WriteLine($"  {key} = {value}");
        Console.WriteLine($"  campaign key = {options.CampaignKeyPath}");

        // From here on SIGTERM (Slurm pre-emption, walltime) and Ctrl-C leave: while starting, the node just stops.
        var leave = new TaskCompletionSource();
        using var stopStarting = new CancellationTokenSource();
        void Leave() { leave.TrySetResult(); stopStarting.Cancel(); }
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; Leave(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; Leave(); });
        NachosNode node;
        try
        {
            node = await NachosNode.Start(options, catalog, new SpecExecutor(catalog), stopStarting.Token);
        }
        catch (OperationCanceledException) when (stopStarting.IsCancellationRequested)
        {
            Log("stopped while starting, before it took any task");
            return ExitCodes.Ok;
        }
        catch (RunDirectoryException e)
        {
            return ExitCodes.Refuse(e.Message);
        }
        catch (CampaignKeyException e)
        {
            return ExitCodes.Refuse($"{e.Message} (--root, or the key file with --campaign-key or NACHOS_CAMPAIGN_KEY; docs/operations.md, Security)");
        }
        catch (ClusterJoinException e)
        {
            Console.Error.WriteLine($"nachos node: {e.Message}; are the seeds up and reachable?");
            return ExitCodes.Failed;
        }
        catch (Akka.Actor.AskTimeoutException)
        {
            // Joined, but the work-queue singleton never answered: the node has left again; a restart tries afresh.
            Console.Error.WriteLine("nachos node: joined the cluster, but its work queue did not answer within 60 s; the node stopped (restart it)");
            return ExitCodes.Failed;
        }
        var cluster = Cluster.Get(node.System);
        Log($"joined as {cluster.SelfAddress} with roles {string.Join(",", roles)}");
        // A full disk (journal or artifacts) makes the node leave, so it stops failing tasks and says why once.
        var storage = StorageFault.Get(node.System);
        storage.StopOnFault(Leave);
        node.Listen(Props.Create(() => new CompletionLog()), "completion-log", typeof(DeviceStartedTask), typeof(DeviceRanTask), typeof(StudyCompleted));
        node.WatchStudies(() => catalog.UnfinishedStarts(root, Log), TimeSpan.FromSeconds(5));
        ApiServer? server = null;
        if (roles.Contains(NodeOptions.Coordinator))
        {
            try
            {
                server = await ApiServer.Start(node, root, api.Host, api.Port, api.DataRoots, postgres);
            }
            catch (ApiTokenException e)
            {
                await node.DisposeAsync();
                return ExitCodes.Refuse(e.Message);
            }
            catch (IOException e) // the port is taken (Kestrel wraps the socket error)
            {
                await node.DisposeAsync();
                return ExitCodes.Refuse($"--api-port {api.Port}: cannot listen on {api.Host}:{api.Port} ({e.Message}); choose another port, or 0 for a free one");
            }
            Console.WriteLine($"api: {server.Url}");
            Console.WriteLine($"api token: {ApiToken.PathIn(root)}");
        }

        var ended = await Task.WhenAny(leave.Task, node.System.WhenTerminated);
        if (server is not null) await server.DisposeAsync();
        if (ended == leave.Task)
        {
            Log("leaving the cluster: running tasks checkpoint and return to the queue");
            await CoordinatedShutdown.Get(node.System).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
            await node.DisposeAsync();
            Log("left");
            if (!storage.HasOccurred) return ExitCodes.Ok;
            Console.Error.WriteLine($"error: the disk holding {root} is full; this node left the cluster and its tasks went back to the queue: free space there and start it again");
            return ExitCodes.Failed;
        }
        if (CoordinatedShutdown.Get(node.System).ShutdownReason is CoordinatedShutdown.ClusterLeavingReason)
        {
            // Told to leave through the API (nachos cluster leave): a graceful exit.
            await node.DisposeAsync();
            Console.WriteLine("left");
            return ExitCodes.Ok;
        }
        // Downed by the cluster (split-brain resolver) or stopped from inside: the operator restarts it.
        await node.DisposeAsync();
        Console.Error.WriteLine("this node was removed from the cluster");
        return ExitCodes.Failed;
    }

    /// <summary>One line of the node's log, with its UTC time.</summary>
    private static void Log(string line) => Console.WriteLine($"{DateTime.UtcNow:yyyy-MM-ddTHH:mm:ss.fffZ} {line}");

    /// <summary>Prints each task attempt this node's devices end and each study this node completes.</summary>
    private sealed class CompletionLog : ReceiveActor
    {
        public CompletionLog()
        {
            Receive<DeviceStartedTask>(t => Log($"{t.Device}: {t.TaskId} attempt {t.Attempt} started"));
            Receive<DeviceRanTask>(t => Log($"{t.Device}: {t.TaskId} attempt {t.Attempt} {t.Outcome}{(t.Outcome == "failed" ? $" ({FailureKinds.Describe(t.Kind, t.Error)})" : "")} in {t.Seconds:F2} s"));
            Receive<StudyCompleted>(c => Log($"study {c.StudyId} {(c.Report.Complete ? "complete" : "finished with failures")}"));
        }
    }
}
