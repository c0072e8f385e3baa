using System.CommandLine;

namespace Nachos.Host.Cli;

/// <summary>Parses and runs a command line; a line that does not parse is bad input: one line per error, a hint, exit 2.</summary>
public static class Invocation
{
    public static async Task<int> Run(RootCommand root, IReadOnlyList<string> args, CancellationToken cancel = default)
    {
        var parse = root.Parse(args);
        PipedConsole.Widen();
        if (parse.Errors.Count == 0) return await parse.InvokeAsync(Configuration(parse, cancel), cancel);
        foreach (var error in parse.Errors) Console.Error.WriteLine($"error: {error.Message}");
        var path = string.Join(' ', parse.CommandResult.RecurseWhileNotNull(r => r.Parent as System.CommandLine.Parsing.CommandResult)
            .Select(r => r.Command.Name).Reverse().Skip(1));
        Console.Error.WriteLine($"see: nachos {(path.Length > 0 ? path + " " : "")}--help");
        return ExitCodes.BadInput;
    }

    /// <summary>
    /// System.CommandLine's own Ctrl-C handling cancels the command and, 2 s later, ends the process. The interactive shell (the
    /// root command on a terminal) answers Ctrl-C itself, and so does a caller that passes its token (the shell, for each line):
    /// Ctrl-C stops the line's command, not the shell.
    /// </summary>
    private static InvocationConfiguration? Configuration(ParseResult parse, CancellationToken cancel) =>
        cancel.CanBeCanceled || (parse.CommandResult.Command is RootCommand && !Console.IsInputRedirected)
            ? new InvocationConfiguration { ProcessTerminationTimeout = null }
            : null;

    private static IEnumerable<T> RecurseWhileNotNull<T>(this T? first, Func<T, T?> next) where T : class
    {
        for (var item = first; item is not null; item = next(item)) yield return item;
    }
}
