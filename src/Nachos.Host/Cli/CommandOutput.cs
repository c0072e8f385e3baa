using Nachos.Shared.Files;
using Spectre.Console;

namespace Nachos.Host.Cli;

/// <summary>Where a command's text goes: standard output, or a file written atomically (and said so).</summary>
public static class CommandOutput
{
    public static int Write(string text, string? outFile)
    {
        if (outFile is null)
        {
            Console.Out.Write(text);
            return ExitCodes.Ok;
        }
        var full = Path.GetFullPath(outFile);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        AtomicFile.WriteAllText(full, text);
        Console.WriteLine($"wrote {full}");
        return ExitCodes.Ok;
    }

    /// <summary>What <paramref name="render"/> draws, as plain text <paramref name="width"/> columns wide (no colours, no escape codes), for a file.</summary>
    public static string Plain(Action<IAnsiConsole> render, int width)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(writer),
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
        });
        console.Profile.Width = width;
        render(console);
        return writer.ToString();
    }
}
