using Nachos.Host.Api;
using Nachos.Tests;
using Nachos.Host.Contract;

namespace Nachos.EndToEnd.Tests;

/// <summary>The campaign's API token file: made whole and private, and a damaged one is told as such.</summary>
public sealed class ApiTokenTests
{
    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")] // file modes
    public void A_new_token_is_written_whole_private_and_once()
    {
        using var dir = new TempDir();
        var token = ApiToken.LoadOrCreate(dir.Path);
        Assert.Matches("^[0-9a-f]{64}$", token);
        Assert.Equal(token + "\n", File.ReadAllText(ApiToken.PathIn(dir.Path)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ApiToken.PathIn(dir.Path)));
        Assert.Equal(token, ApiToken.LoadOrCreate(dir.Path));
        Assert.Equal([ApiToken.FileName], Directory.GetFiles(dir.Path).Select(Path.GetFileName)); // no temporary file left
    }

    [Fact]
    public void Coordinators_starting_at_once_agree_on_one_token()
    {
        using var dir = new TempDir();
        var tokens = Enumerable.Range(0, 16).AsParallel().Select(_ => ApiToken.LoadOrCreate(dir.Path)).ToArray();
        Assert.Single(tokens.Distinct());
        Assert.Equal(tokens[0], ApiToken.Read(dir.Path));
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("\n  \n", "is empty")]
    [InlineData("SECRET pass word", "is not an API token")]
    [InlineData("SECRET\nSECRET-second-line", "is not an API token")]
    [InlineData("SECRET", "is not an API token")] // too short
    public void A_damaged_token_file_is_reported_as_such_without_its_content(string content, string message)
    {
        using var dir = new TempDir();
        File.WriteAllText(ApiToken.PathIn(dir.Path), content);
        var e = Assert.Throws<ApiTokenException>(() => ApiToken.Read(dir.Path));
        Assert.Contains($"{ApiToken.PathIn(dir.Path)} {message}", e.Message);
        Assert.DoesNotContain("SECRET", e.Message);
        Assert.Throws<ApiTokenException>(() => ApiToken.LoadOrCreate(dir.Path));
    }

    [Fact]
    public void A_coordinator_with_an_empty_token_file_is_refused_naming_it_and_starts_nothing()
    {
        using var dir = new TempDir();
        var root = dir.File("root");
        Directory.CreateDirectory(root);
        File.WriteAllText(ApiToken.PathIn(root), "");
        var (code, output, error) = NachosProcess.Run(dir.Path, "node", "--root", root, "--port", "0", "--api-port", "0");
        Assert.True(code == 2, $"exit {code}\n{output}\n{error}");
        Assert.Contains($"{ApiToken.PathIn(root)} is empty", error);
        Assert.DoesNotContain("cannot listen", error);
        Assert.DoesNotContain("   at ", error);
        Assert.False(File.Exists(Path.Combine(root, "journal.db")), "nothing may start for a refused coordinator");

        // A client given that root says the same, with the exit code of bad input.
        var client = NachosProcess.Run(dir.Path, "study", "list", "--root", root);
        Assert.True(client.Code == 2, $"exit {client.Code}\n{client.Output}\n{client.Error}");
        Assert.Contains($"{ApiToken.PathIn(root)} is empty", client.Error);
    }
}
