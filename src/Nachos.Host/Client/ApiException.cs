namespace Nachos.Host.Client;

/// <summary>A request the CLI could not complete, with the exit code it ends with (docs/cli.md).</summary>
public sealed class ApiException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
