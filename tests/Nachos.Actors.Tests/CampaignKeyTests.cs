using System.Net.Security;
using Akka.Event;
using Nachos.Actors.Node;

namespace Nachos.Actors.Tests;

[System.Runtime.Versioning.SupportedOSPlatform("linux")] // file modes
public sealed class CampaignKeyTests
{
    [Fact]
    public async Task Nodes_starting_together_on_one_directory_end_with_one_private_key()
    {
        using var dir = new TempDir();
        var path = CampaignKey.DefaultPath(dir.Path);
        using var start = new Barrier(8);
        var keys = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            start.SignalAndWait();
            return CampaignKey.LoadOrCreate(path, mayCreate: true);
        })));
        try
        {
            Assert.Single(keys.Select(k => k.Certificate.Thumbprint).Distinct());
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            Assert.Equal([path], Directory.GetFiles(dir.Path)); // no temporary file left behind
        }
        finally
        {
            foreach (var k in keys) k.Dispose();
        }
    }

    [Fact]
    public void A_node_that_may_not_create_the_key_is_refused_naming_the_file()
    {
        using var dir = new TempDir();
        var path = CampaignKey.DefaultPath(dir.Path);
        var e = Assert.Throws<CampaignKeyException>(() => CampaignKey.LoadOrCreate(path, mayCreate: false, "a worker joins a campaign"));
        Assert.Equal($"{path}: no campaign key; a worker joins a campaign", e.Message);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void A_key_that_cannot_be_made_is_refused_naming_the_file()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("not-a-directory"), "");
        var path = Path.Combine(dir.File("not-a-directory"), CampaignKey.FileName);
        var e = Assert.Throws<CampaignKeyException>(() => CampaignKey.LoadOrCreate(path, mayCreate: true));
        Assert.Equal($"{path}: cannot make the campaign key (IOException)", e.Message);
    }

    [Theory]
    [InlineData(new[] { "coordinator", "worker" }, new string[0], true)]
    [InlineData(new[] { "coordinator" }, new[] { "127.0.0.1:4053", "127.0.0.2:4053" }, true)]
    [InlineData(new[] { "coordinator" }, new[] { "127.0.0.2:4053" }, false)]
    [InlineData(new[] { "worker" }, new string[0], false)]
    [InlineData(new[] { "worker" }, new[] { "127.0.0.1:4053" }, false)]
    public void Only_a_coordinator_that_starts_the_cluster_creates_the_key(string[] roles, string[] seeds, bool mayCreate) =>
        Assert.Equal(mayCreate, new NodeOptions { WorkDir = "/r", Roles = roles, Seeds = seeds, Host = "127.0.0.1", Port = 4053 }.MayCreateCampaignKey);

    [Fact]
    public void The_transport_accepts_the_campaign_certificate_only()
    {
        using var dir = new TempDir();
        using var campaign = CampaignKey.LoadOrCreate(dir.File("a.p12"), mayCreate: true);
        using var other = CampaignKey.LoadOrCreate(dir.File("b.p12"), mayCreate: true);
        using var sameAgain = CampaignKey.Load(dir.File("a.p12"));
        var validate = ClusterTls.SameCertificate(campaign.Certificate);
        var log = NoLogger.Instance;
        // A self-signed certificate fails the chain check: the pin decides, whatever the policy errors say.
        Assert.True(validate(sameAgain.Certificate, null, "peer", SslPolicyErrors.RemoteCertificateChainErrors, log));
        Assert.False(validate(other.Certificate, null, "peer", SslPolicyErrors.None, log));
        Assert.False(validate(null, null, "peer", SslPolicyErrors.RemoteCertificateNotAvailable, log));
    }
}
