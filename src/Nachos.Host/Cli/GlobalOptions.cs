using System.CommandLine;

namespace Nachos.Host.Cli;

/// <summary>
/// The options several commands share: the campaign root, and where the control API is and its token. One
/// instance each, added to exactly the commands that read them (so a command's --help lists only its own
/// options) and to the root command, where the shell (<c>nachos</c> with no command) takes them for every line.
/// </summary>
public static class GlobalOptions
{
    public static readonly Option<string?> Root = new("--root")
    {
        Description = "campaign directory: where a node keeps its studies; where clients read the API token [NACHOS_ROOT]",
    };

    public static readonly Option<string?> Host = new("--host")
    {
        Description = "control API of a coordinator, host:port (default 127.0.0.1:5080) [NACHOS_API]",
    };

    public static readonly Option<string?> Token = new("--token")
    {
        Description = "API token (default: NACHOS_TOKEN, else ROOT/api-token with --root or NACHOS_ROOT)",
    };

    /// <summary>Adds the API's options (--host, --token, --root for the token file) to a command that talks to it.</summary>
    public static T WithApi<T>(this T command) where T : Command
    {
        command.Options.Add(Host);
        command.Options.Add(Token);
        command.Options.Add(Root);
        return command;
    }

    /// <summary>--host or NACHOS_API: the user named a coordinator's API.</summary>
    public static bool ApiNamed(ParseResult r) => OptionOrEnvironment.Text(r, Host, "NACHOS_API") is not null;
}
