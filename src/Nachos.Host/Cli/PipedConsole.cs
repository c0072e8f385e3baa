using Spectre.Console;

namespace Nachos.Host.Cli;

/// <summary>
/// Output read later (a pipe, a Slurm log) is not a terminal: Spectre would draw it 80 columns wide and wrap tables and long
/// lines mid-row. It gets the width COLUMNS asks for, or one wide enough that a result line or a path stays on its line.
/// </summary>
public static class PipedConsole
{
    public const int DefaultWidth = 400;

    public static void Widen()
    {
        if (!Console.IsOutputRedirected) return;
        AnsiConsole.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns > 40 ? columns : DefaultWidth;
    }
}
