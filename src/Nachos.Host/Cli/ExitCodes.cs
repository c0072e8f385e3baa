namespace Nachos.Host.Cli;

/// <summary>Process exit codes (docs/cli.md).</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Failed = 1;
    public const int BadInput = 2;
    /// <summary>Clients: the control API cannot be reached.</summary>
    public const int Unreachable = 3;
    /// <summary>Clients: the API refused the token (or none was given).</summary>
    public const int Unauthorized = 4;
    /// <summary>Clients: no such study (or node, or file).</summary>
    public const int NotFound = 5;
    /// <summary><c>nachos model promote</c>: the challenger is not significantly better than the champion.</summary>
    public const int NotPromoted = 6;
    public const int Interrupted = 130;

    /// <summary>Says what is wrong on standard error and gives <see cref="BadInput"/>.</summary>
    public static int Refuse(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return BadInput;
    }
}
