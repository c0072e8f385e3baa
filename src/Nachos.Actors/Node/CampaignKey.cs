using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Nachos.Shared.Files;

namespace Nachos.Actors.Node;

/// <summary>
/// The campaign key: a self-signed certificate with its private key (PKCS#12, no password, owner
/// read/write only) that every node of a campaign presents to its peers and requires from them
/// (<see cref="ClusterTls"/>). It lives in the campaign directory as <see cref="FileName"/> unless the node
/// is given another file. Only holding the file proves membership, so its permissions are checked.
/// </summary>
public sealed class CampaignKey : IDisposable
{
    public const string FileName = "campaign-key.p12";

    private CampaignKey(string path, X509Certificate2 certificate)
    {
        Path = path;
        Certificate = certificate;
    }

    public string Path { get; }
    public X509Certificate2 Certificate { get; }

    public static string DefaultPath(string directory) => System.IO.Path.Combine(directory, FileName);

    /// <summary>
    /// The key at <paramref name="path"/>. Without one there, a node that may start the campaign
    /// (<paramref name="mayCreate"/>) makes it; any other node is refused with <paramref name="whyNot"/>.
    /// </summary>
    /// <exception cref="CampaignKeyException">no key and not allowed to make one, or a file that is not a usable key.</exception>
    public static CampaignKey LoadOrCreate(string path, bool mayCreate, string whyNot = "this node may not create it")
    {
        if (!File.Exists(path))
        {
            if (!mayCreate) throw new CampaignKeyException($"{path}: no campaign key; {whyNot}");
            Create(path);
        }
        return Load(path);
    }

    /// <summary>Reads a key file, refusing one that other users can read or that holds no certificate with its private key.</summary>
    public static CampaignKey Load(string path)
    {
        // The file's content is never part of a message: it is a secret even when malformed.
        byte[] bytes;
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                var mode = File.GetUnixFileMode(path);
                const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
                                            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
                if ((mode & others) != 0)
                    throw new CampaignKeyException($"{path}: the campaign key is open to other users (mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}); make it private with chmod 600 {path}");
            }
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CampaignKeyException($"{path}: cannot read the campaign key ({e.GetType().Name})");
        }
        if (bytes.Length == 0) throw new CampaignKeyException($"{path}: the campaign key file is empty");
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadPkcs12(bytes, password: null);
        }
        catch (CryptographicException)
        {
            throw new CampaignKeyException($"{path}: not a campaign key (expected a PKCS#12 certificate with its private key, without password)");
        }
        if (!certificate.HasPrivateKey)
        {
            certificate.Dispose();
            throw new CampaignKeyException($"{path}: the campaign key holds no private key");
        }
        return new CampaignKey(path, certificate);
    }

    /// <summary>Makes a new key unless one is there: of two nodes starting together, the one that came second reads the first one's.</summary>
    public static void Create(string path)
    {
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            AtomicFile.CreateOnce(path, NewPkcs12);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CampaignKeyException($"{path}: cannot make the campaign key ({e.GetType().Name})");
        }
    }

    private static byte[] NewPkcs12()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=nachos campaign {Guid.NewGuid():N}", key, HashAlgorithmName.SHA256);
        // Peers pin this very certificate (ClusterTls), so its validity period is not what protects the
        // cluster; it is long so that a campaign never stops on an expiry date.
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddDays(-1), now.AddYears(100));
        return certificate.Export(X509ContentType.Pkcs12);
    }

    public void Dispose() => Certificate.Dispose();
}

/// <summary>A campaign key that is missing, unreadable, open to other users or not a key; the message names the file.</summary>
public sealed class CampaignKeyException(string message) : Exception(message);
