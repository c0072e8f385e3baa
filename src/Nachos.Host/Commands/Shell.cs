using System.CommandLine;
using System.CommandLine.Parsing;
using Nachos.Host.Cli;

namespace Nachos.Host.Commands;

/// <summary>
/// <c>nachos</c> with no command: reads a line, runs it as a command (with the global options given at start),
/// and again, until <c>exit</c> or the end of input. <c>help</c> shows the commands. On a terminal the line is edited
/// (<see cref="ShellEditor"/>: history, Tab completion of commands, options and study ids), and Ctrl-C stops the
/// command running (or drops the line being typed) and the shell goes on. Commands piped in are read line by line, and
/// Ctrl-C ends the shell.
/// </summary>
public static class Shell
{
    public static async Task<int> Run(RootCommand root, IReadOnlyList<string> globalArgs, CancellationToken cancel)
    {
        if (Console.IsInputRedirected) return await Run(root, globalArgs, _ => Task.FromResult(Console.ReadLine()), () => cancel, () => cancel.IsCancellationRequested, false);
        using var interrupt = new Interruption(againEnds: true);
        ShellEditor? editor = ShellEditor.Supported ? new ShellEditor(new ShellCompletion(root, globalArgs), new ShellHistory(ShellHistory.DefaultPath)) : null;
        Console.WriteLine("nachos shell: `help` lists the commands; Tab completes, ↑ recalls; Ctrl-C stops a command; `exit` or Ctrl-D leaves");
        return await Run(root, globalArgs, async token =>
        {
            if (editor is not null) return await editor.ReadLine(token);
            Console.Write(ShellEditor.Prompt);
            return Console.ReadLine();
        }, interrupt.Renew, () => interrupt.Terminated || editor?.EndOfInput == true, true);
    }

    /// <param name="read">The next line (null: the input ended, or the token was cancelled while it was typed).</param>
    /// <param name="next">The token for the next line and its command.</param>
    /// <param name="leave">Whether the shell ends (the input ended, or a SIGTERM came).</param>
    private static async Task<int> Run(RootCommand root, IReadOnlyList<string> globalArgs, Func<CancellationToken, Task<string?>> read,
        Func<CancellationToken> next, Func<bool> leave, bool interactive)
    {
        var last = ExitCodes.Ok;
        while (!leave())
        {
            var token = next();
            var line = await read(token);
            if (token.IsCancellationRequested)
            {
                // Ctrl-C while typing drops the line; the shell goes on.
                if (interactive && !leave()) continue;
                break;
            }
            if (line is null) break;
            line = line.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (line is "exit" or "quit") break;
            var words = line == "help" ? ["--help"] : CommandLineParser.SplitCommandLine(line).ToList();
            if (words is ["nachos", ..]) words.RemoveAt(0);
            // The shell is the root's own action: no command at all would start another shell.
            if (words.Count == 0) continue;
            if (NodeRun(words))
            {
                Console.Error.WriteLine("error: `node` without list or drain runs a cluster node: start it outside the shell");
                last = ExitCodes.BadInput;
                continue;
            }
            if (UnknownWord(root, words[0]) is { } hint)
            {
                Console.Error.WriteLine(hint);
                last = ExitCodes.BadInput;
                continue;
            }
            string[] args = [.. globalArgs, .. words];
            last = await Invocation.Run(root, args, token);
            if (!interactive && token.IsCancellationRequested) break;
            if (interactive && token.IsCancellationRequested && !leave()) Console.WriteLine("(interrupted)");
            else if (last != ExitCodes.Ok && interactive) Console.WriteLine($"(exit code {last})");
        }
        return last;
    }

    /// <summary>"error: unknown command 'stdy' (did you mean `study`?)" when the line's first word is not a command, else null.</summary>
    private static string? UnknownWord(RootCommand root, string word)
    {
        if (word.StartsWith('-')) return null;
        var names = root.Subcommands.SelectMany(c => c.Aliases.Prepend(c.Name)).ToList();
        if (names.Contains(word, StringComparer.Ordinal)) return null;
        return ClosestWord.Of(word, names.Concat(["help", "exit"])) is { } closest
            ? $"error: unknown command '{word}' (did you mean `{closest}`?)"
            : $"error: unknown command '{word}' (`help` lists the commands)";
    }

    private static bool NodeRun(IReadOnlyList<string> words) =>
        words.Count > 0 && words[0] == "node" && !words.Skip(1).Any(w => w is "list" or "drain" or "--help" or "-h" or "-?");
}
