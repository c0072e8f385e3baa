using System.Net.Http.Json;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Remote.Transport.DotNetty;
using Nachos.Actors.Node;
using Nachos.Host.Api;
using Nachos.Host.Contract;

namespace Nachos.EndToEnd.Tests;

/// <summary>
/// Cluster members authenticate each other with the campaign key (mutual TLS): a real coordinator on
/// loopback against a real node with another campaign's key and hostile actor systems in this process.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")] // file modes
public sealed class ClusterAuthTests
{
    /// <summary>A worker never opens its journal, so a database nobody listens on will do.</summary>
    private const string NoJournal = "Host=127.0.0.1;Port=1;Username=nachos;Database=nachos";

    [Fact]
    public async Task Only_nodes_holding_the_campaign_key_are_admitted_and_handed_tasks()
    {
        using var dir = new TempDir();
        var root = dir.File("root");
        var port = LocalCluster.FreePorts(1)[0];
        var seed = $"127.0.0.1:{port}";
        using var coordinator = new NachosProcess(dir.Path, "node", "--root", root, "--port", port.ToString(), "--api-port", "0", "--roles", "coordinator");
        WaitFor(coordinator, "api: http://", coordinator);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(CampaignKey.DefaultPath(root)));
        using var http = new HttpClient { BaseAddress = ApiNode.ApiUrl(coordinator.Output) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", File.ReadAllText(Path.Combine(root, "api-token")).Trim());
        File.WriteAllText(dir.File("spec.yaml"), ApiNode.Spec("auth", 0.01));
        Campaign.Submit(dir, root); // the coordinator has no devices: the tasks wait for a worker

        // Another campaign's node, given its key by the environment, and three hostile actor systems: one
        // that presents its own certificate and accepts any, one that presents none, one without TLS.
        var otherKey = dir.File("other/campaign-key.p12");
        CampaignKey.Create(otherKey);
        using var intruder = new NachosProcess(dir.Path, new Dictionary<string, string> { ["NACHOS_CAMPAIGN_KEY"] = otherKey, ["NACHOS_JOIN_TIMEOUT"] = "1s" },
            "node", "--root", dir.File("other"), "--roles", "worker", "--devices", "cpu:1", "--port", "0", "--postgres", NoJournal, "--seed", seed);
        using var ownCertificate = CampaignKey.Load(otherKey);
        var rogues = new[]
        {
            Rogue(port, new DotNettySslSetup(ownCertificate.Certificate, suppressValidation: true, requireMutualAuthentication: true)),
            Rogue(port, new DotNettySslSetup(ownCertificate.Certificate, suppressValidation: true, requireMutualAuthentication: false)),
            Rogue(port, null),
        };
        try
        {
            var code = intruder.Wait(TimeSpan.FromSeconds(90)); // five tries of 1 s, then it gives up
            Assert.True(code == 1, $"exit {code}\n{intruder.Output}\n{intruder.Error}");
            Assert.Contains("not a member of the cluster after 5 tries", intruder.Error);
            Assert.DoesNotContain("joined as", intruder.Output);
            Assert.Contains("refused a cluster connection", coordinator.Output);
            var self = (await Nodes(http)).Self;
            Assert.Equal([self], (await Nodes(http)).Nodes.Select(n => n.Address));
            foreach (var rogue in rogues)
                Assert.DoesNotContain(Cluster.Get(rogue).State.Members, m => m.Address.Port == port);
            Assert.Empty(Predictions(root));
        }
        finally
        {
            await Task.WhenAll(rogues.Select(r => r.Terminate()));
        }

        // The same worker with the campaign's key (in the shared root) joins and is handed the tasks.
        using var worker = new NachosProcess(dir.Path, "node", "--root", root, "--roles", "worker", "--devices", "cpu:2", "--port", "0",
            "--postgres", NoJournal, "--seed", seed);
        WaitFor(worker, " succeeded in ", coordinator);
        Assert.Equal(2, (await Nodes(http)).Nodes.Count);
        Assert.NotEmpty(Predictions(root));
        worker.Terminate();
        Assert.Equal(0, worker.Wait(TimeSpan.FromSeconds(60)));
        coordinator.Terminate();
        Assert.Equal(0, coordinator.Wait(TimeSpan.FromSeconds(60)));
    }

    private static async Task<NodeList> Nodes(HttpClient http) => (await http.GetFromJsonAsync<NodeList>("api/nodes", ApiJson.Options))!;

    private static IEnumerable<string> Predictions(string root) =>
        Directory.EnumerateFiles(root, "predictions.csv", SearchOption.AllDirectories);

    private static void WaitFor(NachosProcess node, string line, NachosProcess coordinator)
    {
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!node.Output.Contains(line))
        {
            if (node.HasExited || DateTime.UtcNow > deadline)
                Assert.Fail($"no '{line}'\n{node.Output}\n{node.Error}\n--- coordinator ---\n{coordinator.Output}\n{coordinator.Error}");
            Thread.Sleep(50);
        }
    }

    /// <summary>An actor system that asks to join the coordinator, with the given TLS (none: plain TCP).</summary>
    private static ActorSystem Rogue(int port, DotNettySslSetup? tls)
    {
        var config = ConfigurationFactory.ParseString($$"""
            akka.loglevel = OFF
            akka.stdout-loglevel = OFF
            akka.actor.provider = cluster
            akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0, enable-ssl = {{(tls is null ? "off" : "on")}} }
            akka.cluster.roles = [worker]
            """);
        var setup = BootstrapSetup.Create().WithConfig(config);
        var system = tls is null ? ActorSystem.Create("nachos", setup) : ActorSystem.Create("nachos", setup.And(tls));
        var protocol = tls is null ? "akka.tcp" : ClusterTls.Protocol;
        Cluster.Get(system).JoinSeedNodes([Address.Parse($"{protocol}://nachos@127.0.0.1:{port}")]);
        return system;
    }
}
