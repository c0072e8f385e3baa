using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Nachos.Shared.Files;

namespace Nachos.Host.Contract;

/// <summary>
/// The control API's bearer token: ROOT/api-token, made on a coordinator's first start (owner read/write
/// only, made once) and shared by every coordinator of the campaign; clients read it with <c>--root</c>.
/// </summary>
public static partial class ApiToken
{
    public const string FileName = "api-token";

    public static string PathIn(string root) => Path.Combine(root, FileName);

    /// <exception cref="ApiTokenException">the file exists but holds no usable token, or cannot be read or written.</exception>
    public static string LoadOrCreate(string root)
    {
        var path = PathIn(root);
        if (Read(root) is { } existing) return existing;
        try
        {
            // Of two coordinators starting at once the first one's token stands; a reader sees no file or the whole token.
            AtomicFile.CreateOnce(path, () => Encoding.ASCII.GetBytes(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)) + "\n"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ApiTokenException($"{path}: cannot write the API token ({e.Message})");
        }
        return Read(root) ?? throw new ApiTokenException($"{path}: the API token was removed while this coordinator started; start again");
    }

    /// <summary>The token stored in a campaign root, or null when there is no token file.</summary>
    /// <exception cref="ApiTokenException">the file is empty, malformed or unreadable (its content is never quoted).</exception>
    public static string? Read(string root)
    {
        var path = PathIn(root);
        if (!File.Exists(path)) return null;
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ApiTokenException($"{path}: cannot read the API token ({e.GetType().Name})");
        }
        var token = text.Trim();
        if (token.Length == 0)
            throw new ApiTokenException($"{path} is empty; delete it and start a coordinator to make a new token, or write one line of 16 to 512 token characters (A-Z a-z 0-9 . _ ~ + / = -)");
        if (!Wellformed().IsMatch(token))
            throw new ApiTokenException($"{path} is not an API token: expected one line of 16 to 512 token characters (A-Z a-z 0-9 . _ ~ + / = -); delete it and start a coordinator to make a new one");
        return token;
    }

    /// <summary>Constant-time comparison, so response timing says nothing about the token.</summary>
    public static bool Matches(string expected, string? given) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(given));

    /// <summary>A bearer token's characters (RFC 6750 b64token), one line.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9._~+/=-]{16,512}$")]
    private static partial Regex Wellformed();
}

/// <summary>The campaign's API token file is missing its token, malformed, or cannot be read or written.</summary>
public sealed class ApiTokenException(string message) : Exception(message);
