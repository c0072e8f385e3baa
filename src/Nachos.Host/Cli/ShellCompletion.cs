using System.CommandLine;
using System.CommandLine.Parsing;

namespace Nachos.Host.Cli;

/// <summary>
/// What Tab offers in the shell for the word being typed: the command tree's words (palettes, commands, options, an
/// option's allowed values) and what an argument completes itself with (a study id: the studies of the API at --host).
/// </summary>
public sealed class ShellCompletion(RootCommand root, IReadOnlyList<string> globalArgs)
{
    private static readonly string[] ShellWords = ["help", "exit"];

    /// <param name="before">The line before the word.</param>
    /// <param name="word">The start of the word being typed ("" for a new one).</param>
    public IReadOnlyList<string> Of(string before, string word)
    {
        var words = CommandLineParser.SplitCommandLine(before).ToList();
        if (words is ["nachos", ..]) words.RemoveAt(0);
        // With no word yet the global options are left out: the parser would complete the value of the last of them.
        var parse = root.Parse(words.Count == 0 ? [] : [.. globalArgs, .. words]);
        var labels = parse.GetCompletions().Select(c => c.Label);
        if (words.Count == 0) labels = labels.Concat(ShellWords);
        return labels.Where(l => l.StartsWith(word, StringComparison.Ordinal)).Distinct().ToList();
    }
}
