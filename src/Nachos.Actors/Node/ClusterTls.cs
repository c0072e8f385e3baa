using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Event;
using Akka.Remote.Transport.DotNetty;

namespace Nachos.Actors.Node;

/// <summary>
/// Mutual TLS on the cluster transport: a node presents the campaign certificate and accepts a connection,
/// in either direction, only from a peer that presents the very same certificate (and so proves in the
/// handshake that it holds its private key). Nothing else is trusted: no CA, no other self-signed
/// certificate, whatever its name.
/// </summary>
public static class ClusterTls
{
    /// <summary>The address protocol of a node whose transport runs TLS (Akka prefixes the transport's scheme).</summary>
    public const string Protocol = "akka.ssl.tcp";

    /// <summary>
    /// An actor system setup whose transport runs mutual TLS with <paramref name="key"/>. TLS is switched
    /// on over every other setting: a configuration cannot turn it off.
    /// </summary>
    public static ActorSystemSetup Setup(Config config, CampaignKey key) =>
        BootstrapSetup.Create()
            .WithConfig(ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.enable-ssl = on").WithFallback(config))
            .And(new DotNettySslSetup(key.Certificate, suppressValidation: false, requireMutualAuthentication: true,
                validateCertificateHostname: false, customValidator: SameCertificate(key.Certificate)));

    /// <summary>
    /// Accepts only <paramref name="campaign"/> itself. The chain errors of a self-signed certificate
    /// (untrusted root, name mismatch) are ignored: comparing the whole certificate replaces them.
    /// </summary>
    public static CertificateValidationCallback SameCertificate(X509Certificate2 campaign)
    {
        var expected = campaign.RawData;
        return (certificate, _, peer, _, log) =>
        {
            if (certificate is not null && CryptographicOperations.FixedTimeEquals(certificate.RawData, expected)) return true;
            log.Warning("refused a cluster connection with {0}: it did not present this campaign's certificate", peer);
            return false;
        };
    }
}
