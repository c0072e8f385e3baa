using System.CommandLine;
using Nachos.Host.Cli;

namespace Nachos.Host.Client;

/// <summary>Runs a client command against the API: says what went wrong on standard error and ends with its exit code.</summary>
public static class ClientAction
{
    /// <summary>The command's action, and the API's options (--host, --token, --root) it reads.</summary>
    public static void Set(Command command, Func<ParseResult, ApiClient, CancellationToken, Task<int>> body)
    {
        command.WithApi();
        command.SetAction((r, cancel) => Run(r, body, cancel));
    }

    /// <summary>For a command that talks to the API only in some cases (it adds the API's options itself).</summary>
    public static async Task<int> Run(ParseResult r, Func<ParseResult, ApiClient, CancellationToken, Task<int>> body, CancellationToken cancel)
    {
        try
        {
            using var client = ApiClient.From(r);
            return await body(r, client, cancel);
        }
        catch (ApiException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Interrupted;
        }
    }

    /// <summary>A path segment for an id typed by a person.</summary>
    public static string Segment(string id) => Uri.EscapeDataString(id);
}
