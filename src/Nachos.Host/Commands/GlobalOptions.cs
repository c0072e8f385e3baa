using System.CommandLine;

namespace Nachos.Host.Commands;

/// <summary>Options every command sees (placed anywhere on the line): the campaign root, and where the control API is and its token.</summary>
public static class GlobalOptions
{
    public static readonly Option<string?> Root = new("--root")
    {
        Description = "campaign directory: where a node keeps its studies; where clients read the API token [NACHOS_ROOT]",
        Recursive = true,
    };

    public static readonly Option<string?> Host = new("--host")
    {
        Description = "control API of a coordinator, host:port (default 127.0.0.1:5080) [NACHOS_API]",
        Recursive = true,
    };

    public static readonly Option<string?> Token = new("--token")
    {
        Description = "API token (default: NACHOS_TOKEN, else ROOT/api-token with --root or NACHOS_ROOT)",
        Recursive = true,
    };
}
