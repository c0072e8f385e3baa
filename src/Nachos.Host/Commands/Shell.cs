using System.CommandLine;
using System.CommandLine.Parsing;
using Nachos.Host.Cli;

namespace Nachos.Host.Commands;

/// <summary>
/// <c>nachos</c> with no command: reads a line, runs it as a command (with the global options given at start),
/// and again, until <c>exit</c> or the end of input. <c>help</c> shows the commands; Tab completes command and
/// option names in a terminal.
/// </summary>
public static class Shell
{
    public static async Task<int> Run(RootCommand root, IReadOnlyList<string> globalArgs, CancellationToken cancel)
    {
        var interactive = !Console.IsInputRedirected;
        if (interactive) Console.WriteLine("nachos shell: palettes cluster, study, trial, node; `help`, `exit`");
        var last = ExitCodes.Ok;
        while (!cancel.IsCancellationRequested)
        {
            var line = interactive ? ReadLine(root) : Console.ReadLine();
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
            last = await Invocation.Run(root, args, cancel);
            if (last != ExitCodes.Ok && interactive) Console.WriteLine($"(exit code {last})");
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

    /// <summary>A line from the terminal with Tab completion of the word being typed.</summary>
    private static string? ReadLine(RootCommand root)
    {
        Console.Write("nachos> ");
        var line = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            switch (key.Key)
            {
                case ConsoleKey.Enter:
                    Console.WriteLine();
                    return line.ToString();
                case ConsoleKey.Backspace when line.Length > 0:
                    line.Length--;
                    Console.Write("\b \b");
                    break;
                case ConsoleKey.Tab:
                    Complete(root, line);
                    break;
                case ConsoleKey.D when key.Modifiers.HasFlag(ConsoleModifiers.Control) && line.Length == 0:
                    Console.WriteLine();
                    return null;
                default:
                    if (!char.IsControl(key.KeyChar))
                    {
                        line.Append(key.KeyChar);
                        Console.Write(key.KeyChar);
                    }
                    break;
            }
        }
    }

    private static void Complete(RootCommand root, System.Text.StringBuilder line)
    {
        var text = line.ToString();
        var words = CommandLineParser.SplitCommandLine(text).ToList();
        var partial = text.EndsWith(' ') || words.Count == 0 ? "" : words[^1];
        if (partial.Length > 0) words.RemoveAt(words.Count - 1);
        // The words alone, without the global options: after `--root DIR` the parser would complete DIR.
        var candidates = root.Parse(words).GetCompletions()
            .Select(c => c.Label).Where(l => l.StartsWith(partial, StringComparison.Ordinal)).Distinct().ToList();
        if (candidates.Count == 1)
        {
            var rest = candidates[0][partial.Length..] + " ";
            line.Append(rest);
            Console.Write(rest);
        }
        else if (candidates.Count > 1)
        {
            Console.WriteLine();
            Console.WriteLine(string.Join("  ", candidates));
            Console.Write("nachos> " + line);
        }
    }
}
