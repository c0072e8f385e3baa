using System.Security.Cryptography.X509Certificates;
using Nachos.Actors.Node;
using Nachos.Tests;

namespace Nachos.EndToEnd.Tests;

public sealed class NodeCommandTests
{
    [Theory]
    [InlineData("--roles", "boss", "--roles boss")]
    [InlineData("--seed", "nohost", "--seed nohost")]
    [InlineData("--devices", "gpu:1", "--devices gpu:1")]
    [InlineData("--port", "70000", "--port 70000")]
    [InlineData("--data-root", "relative/data", "--data-root relative/data")]
    [InlineData("--data-root", "/no/such/data/root", "--data-root /no/such/data/root")]
    public void A_bad_option_is_refused_naming_it(string option, string value, string named)
    {
        using var dir = new TempDir();
        var (code, _, error) = NachosProcess.Run(dir.Path, "node", "--root", dir.File("root"), option, value);
        Assert.Equal(2, code);
        Assert.Contains(named, error);
        Assert.False(File.Exists(dir.File("root/journal.db")), "nothing may be created for a refused node");
    }

    [Fact]
    public void A_port_already_in_use_is_refused()
    {
        using var dir = new TempDir();
        var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        try
        {
            var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;
            var (code, _, error) = NachosProcess.Run(dir.Path, "node", "--root", dir.File("root"), "--port", port.ToString());
            Assert.Equal(2, code);
            Assert.Contains($"--port {port}: already in use", error);
        }
        finally
        {
            taken.Stop();
        }
    }

    [Fact]
    public void A_node_with_seeds_but_no_PostgreSQL_journal_is_refused()
    {
        using var dir = new TempDir();
        var (code, _, error) = NachosProcess.Run(dir.Path, "node", "--root", dir.File("root"), "--port", "0", "--seed", "127.0.0.1:4999");
        Assert.Equal(2, code);
        Assert.Contains("--seed 127.0.0.1:4999 without --postgres", error);
        Assert.False(File.Exists(dir.File("root/journal.db")), "nothing may be created for a refused node");
    }

    [Fact]
    public void A_node_whose_seeds_never_answer_starts_again_as_new_incarnations_then_gives_up_with_a_clear_error()
    {
        using var dir = new TempDir();
        var deadSeed = LocalCluster.FreePorts(1)[0]; // nothing listens there
        var environment = new Dictionary<string, string> { ["NACHOS_JOIN_TIMEOUT"] = "1s" };
        CampaignKey.Create(CampaignKey.DefaultPath(dir.File("root")));
        // A worker never opens its journal, so an unreachable PostgreSQL does not matter here.
        var (code, output, error) = NachosProcess.Run(dir.Path, environment, "node", "--root", dir.File("root"), "--port", "0", "--roles", "worker",
            "--postgres", "Host=127.0.0.1;Port=1;Username=nachos;Database=nachos", "--seed", $"127.0.0.1:{deadSeed}");
        Assert.True(code == 1, $"exit {code}\n{output}\n{error}");
        Assert.Contains("nachos.join-timeout = 1s", output);
        for (var i = 2; i <= 5; i++) Assert.Contains($"starting again as a new incarnation ({i} of 5)", error);
        Assert.Contains($"not a member of the cluster after 5 tries of 1 s (seeds 127.0.0.1:{deadSeed})", error);
        Assert.DoesNotContain("joined as", output);
    }

    [Fact]
    public void SIGTERM_while_the_node_is_still_joining_stops_it_cleanly_with_exit_0()
    {
        // Slurm's walltime or pre-emption can come while a restarted node is still asking its seeds.
        using var dir = new TempDir();
        var deadSeed = LocalCluster.FreePorts(1)[0];
        CampaignKey.Create(CampaignKey.DefaultPath(dir.File("root")));
        using var node = new NachosProcess(dir.Path, "node", "--root", dir.File("root"), "--port", "0", "--roles", "worker",
            "--postgres", "Host=127.0.0.1;Port=1;Username=nachos;Database=nachos", "--seed", $"127.0.0.1:{deadSeed}");
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        while (!node.Output.Contains("nachos.join-timeout") && !node.HasExited && DateTime.UtcNow < deadline) Thread.Sleep(100);
        Thread.Sleep(2000); // into the join
        Assert.False(node.HasExited, $"the node ended before it was told to\n{node.Output}\n{node.Error}");
        node.Terminate();
        var code = node.Wait(TimeSpan.FromSeconds(30));
        Assert.True(code == 0, $"exit {code}\n{node.Output}\n{node.Error}");
        Assert.Contains("stopped while starting, before it took any task", node.Output);
        Assert.DoesNotContain("joined as", node.Output);
    }

    [Theory]
    [InlineData("worker")]
    [InlineData("coordinator")] // not starting the cluster: its own address is not among its seeds
    public void A_node_joining_a_cluster_from_a_root_without_the_campaign_key_is_refused_and_creates_nothing(string roles)
    {
        using var dir = new TempDir();
        var root = dir.File("root");
        var (code, _, error) = NachosProcess.Run(dir.Path, "node", "--root", root, "--roles", roles, "--port", "0",
            "--postgres", "Host=127.0.0.1;Port=1;Username=nachos;Database=nachos", "--seed", $"127.0.0.1:{LocalCluster.FreePorts(1)[0]}");
        Assert.True(code == 2, $"exit {code}\n{error}");
        Assert.Contains($"{CampaignKey.DefaultPath(root)}: no campaign key", error);
        Assert.False(Directory.Exists(root), "a refused node may not create its root");
    }

    [Theory]
    [InlineData("empty", "the campaign key file is empty")]
    [InlineData("garbage", "not a campaign key")]
    [InlineData("open", "the campaign key is open to other users (mode 0644)")]
    [InlineData("public-only", "the campaign key holds no private key")]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")] // file modes
    public void A_bad_campaign_key_file_is_refused_naming_it_never_its_content(string kind, string message)
    {
        using var dir = new TempDir();
        var key = dir.File("keys/campaign.p12");
        Directory.CreateDirectory(dir.File("keys"));
        switch (kind)
        {
            case "empty": File.WriteAllBytes(key, []); break;
            case "garbage": File.WriteAllText(key, "SECRET-0123456789"); break;
            case "open":
                CampaignKey.Create(key);
                File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                break;
            case "public-only": // the certificate without its private key
                CampaignKey.Create(key);
                using (var full = CampaignKey.Load(key))
                using (var certificateOnly = X509CertificateLoader.LoadCertificate(full.Certificate.RawData))
                    File.WriteAllBytes(key, certificateOnly.Export(X509ContentType.Pkcs12));
                break;
        }
        if (kind != "open") File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        // By option, and by environment variable.
        foreach (var (args, environment) in new (string[], Dictionary<string, string>)[]
                 {
                     (["--campaign-key", key], new()),
                     ([], new() { ["NACHOS_CAMPAIGN_KEY"] = key }),
                 })
        {
            var (code, output, error) = NachosProcess.Run(dir.Path, environment, ["node", "--root", dir.File("root"), "--port", "0", .. args]);
            Assert.True(code == 2, $"exit {code}\n{output}\n{error}");
            Assert.Contains($"{key}: {message}", error);
            Assert.DoesNotContain("SECRET", output + error);
            Assert.DoesNotContain("   at ", error); // no stack trace
            Assert.False(File.Exists(dir.File("root/journal.db")), "nothing may be created for a refused node");
        }
    }

    [Fact]
    public void Without_a_root_the_node_is_refused()
    {
        using var dir = new TempDir();
        var (code, _, error) = NachosProcess.Run(dir.Path, "node");
        Assert.Equal(2, code);
        Assert.Contains("--root", error);
    }

    [Fact]
    public void A_second_node_on_a_root_with_a_SQLite_journal_is_refused()
    {
        using var dir = new TempDir();
        var root = dir.File("root");
        using var first = new NachosProcess(dir.Path, "node", "--root", root, "--port", "0", "--devices", "cpu:1");
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!first.Output.Contains("joined as") && DateTime.UtcNow < deadline) Thread.Sleep(50);
        Assert.Contains("joined as", first.Output);

        var (code, _, error) = NachosProcess.Run(dir.Path, "node", "--root", root, "--port", "0");
        Assert.Equal(2, code);
        Assert.Contains("in use by another nachos process", error);
        Assert.Contains("PostgreSQL", error);

        first.Terminate();
        var exit = first.Wait(TimeSpan.FromSeconds(60));
        Assert.True(exit == 0, $"exit {exit}\n{first.Output}\n{first.Error}");
        Assert.Contains("left", first.Output);
    }

    [Fact]
    public void The_effective_configuration_is_printed_with_environment_overrides_and_the_password_redacted()
    {
        using var dir = new TempDir();
        var environment = new Dictionary<string, string> { ["NACHOS_LEASE_TIMEOUT"] = "7s", ["NACHOS_ROLES"] = "worker" };
        // Nothing listens on port 1: the node prints its configuration, then cannot reach its journal; it is killed.
        using var node = new NachosProcess(dir.Path, environment, "node", "--root", dir.File("root"), "--port", "0",
            "--postgres", "Host=127.0.0.1;Port=1;Username=nachos;Password=s3cret;Database=nachos");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!node.Output.Contains("nachos.lease-timeout") && DateTime.UtcNow < deadline) Thread.Sleep(50);
        var output = node.Output;
        node.KillHard();
        Assert.Contains("nachos.lease-timeout = 7s", output);
        Assert.Contains("akka.cluster.roles = worker", output);
        Assert.Contains("Password=***", output);
        Assert.DoesNotContain("s3cret", output + node.Error);
    }

    /// <summary>Akka's warning, which it printed within a second of every node's start and again at leave (hocon/base.conf).</summary>
    private const string SingletonProxyWarning = "ClusterSingletonProxy";

    [Fact]
    public void A_node_start_and_leave_do_not_show_Akkas_singleton_proxy_warning()
    {
        using var dir = new TempDir();
        using var node = new NachosProcess(dir.Path, "node", "--root", dir.File("root"), "--devices", "cpu:1", "--port", "0", "--api-port", "0");
        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (!node.Output.Contains("api: http://"))
        {
            Assert.False(node.HasExited || DateTime.UtcNow > deadline, $"the node did not start:\n{node.Combined}");
            Thread.Sleep(50);
        }
        Thread.Sleep(2000); // the warning came within a second of the start
        node.Terminate();
        Assert.Equal(0, node.Wait(TimeSpan.FromSeconds(60)));
        node.DrainOutput();
        Assert.Contains("left", node.Output);
        Assert.DoesNotContain(SingletonProxyWarning, node.Combined);
    }

    [Fact]
    public void Nachos_run_does_not_show_Akkas_singleton_proxy_warning()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("spec.yaml"), SimulatedSpecs.Yaml("quiet", 0, 1, sampler: "random", outer: 2, maxEpochs: 2, optimizer: false));
        var (code, output, error) = NachosProcess.Run(dir.Path, "run", "spec.yaml", "--run-dir", "run");
        Assert.True(code == 0, $"exit {code}\n{output}\n{error}");
        Assert.DoesNotContain(SingletonProxyWarning, output + error);
    }
}
