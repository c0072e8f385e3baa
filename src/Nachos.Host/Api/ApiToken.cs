using System.Security.Cryptography;
using System.Text;

namespace Nachos.Host.Api;

/// <summary>
/// The control API's bearer token: ROOT/api-token, made on a coordinator's first start (owner read/write
/// only) and shared by every coordinator of the campaign; clients read it with <c>--root</c>.
/// </summary>
public static class ApiToken
{
    public const string FileName = "api-token";

    public static string PathIn(string root) => Path.Combine(root, FileName);

    public static string LoadOrCreate(string root)
    {
        var path = PathIn(root);
        if (Read(root) is { } existing) return existing;
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var file = new FileStream(path, options);
            file.Write(Encoding.ASCII.GetBytes(token + "\n"));
            return token;
        }
        catch (IOException) when (Read(root) is { } raced) // another coordinator made it first
        {
            return raced;
        }
    }

    /// <summary>The token stored in a campaign root, or null.</summary>
    public static string? Read(string root)
    {
        var path = PathIn(root);
        return File.Exists(path) && File.ReadAllText(path).Trim() is { Length: > 0 } token ? token : null;
    }

    /// <summary>Constant-time comparison, so response timing says nothing about the token.</summary>
    public static bool Matches(string expected, string? given) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(given));
}
