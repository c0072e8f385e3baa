using System.CommandLine;
using Nachos.Host.Cli;
using Nachos.Host.Running;
using Nachos.Shared.Data;
using Nachos.Shared.Robustness;
using Nachos.Shared.Spec;
using Nachos.Shared.TaskProcess;
using Spectre.Console;

namespace Nachos.Host.Commands;

/// <summary>
/// <c>nachos stress RUN_DIR [--transforms gamma,jpeg,...] [--severities 1-5] [--channel-grid]</c>: a finished study's outer-fold refits on their
/// outer test folds under distribution shifts (docs/robustness.md); writes robustness.json into the run directory.
/// </summary>
public static class StressCommand
{
    public static Command Create()
    {
        var runDir = new Argument<string>("run-dir") { Description = "the run directory of a finished study" };
        var transforms = new Option<string?>("--transforms") { Description = $"comma-separated shifts (default: the spec's robustness.transforms, else all: {string.Join(",", Shifts.Names)})" };
        var severities = new Option<string?>("--severities") { Description = "severities 1 to 5: a range (1-5), a list (1,3,5) or one (default: the spec's robustness.severities, else 1-5)" };
        var grid = new Option<bool>("--channel-grid") { Description = "also the red × blue channel-scale grid (RGB studies; default: the spec's robustness.channel_grid)" };
        var command = new Command("stress", "evaluate a finished study's outer-fold models on distribution-shifted copies of their test folds")
            { runDir, transforms, severities, grid };
        command.SetAction(r => Run(r.GetValue(runDir)!, r.GetValue(transforms), r.GetValue(severities), r.GetValue(grid)));
        return command;
    }

    /// <summary>
    /// <c>nachos run</c>'s last step for a spec with <c>robustness:</c>: the table of robustness.json, which the study built from its
    /// queued stress tasks; a study whose folds ran before stress tasks existed has none, and is stress-tested here instead.
    /// </summary>
    public static int Show(string runDir)
    {
        var path = RobustnessReport.PathIn(runDir);
        if (!File.Exists(path)) return Run(runDir, null, null);
        try
        {
            var result = RobustnessReport.Read(path);
            RobustnessTable.Write(result, AnsiConsole.Console);
            foreach (var failure in result.Failures ?? []) AnsiConsole.MarkupLineInterpolated($"[yellow]stress test failed[/]: {failure}");
            Console.WriteLine($"wrote {Path.GetFullPath(path)}");
            return ExitCodes.Ok;
        }
        catch (InvalidDataException e)
        {
            return ExitCodes.Refuse(e.Message);
        }
    }

    /// <param name="transforms">Overrides the spec's <c>robustness.transforms</c>; null: the spec's (every shift without one).</param>
    /// <param name="severities">Overrides the spec's <c>robustness.severities</c>; null: the spec's (every severity without one).</param>
    /// <param name="channelGrid">Also the channel grid; it is evaluated too when the study's spec has <c>robustness.channel_grid: true</c>.</param>
    public static int Run(string runDir, string? transforms, string? severities, bool channelGrid = false)
    {
        try
        {
            StressSelection.Parse(transforms, severities); // a bad option is refused before the run directory is read
        }
        catch (FormatException e)
        {
            return ExitCodes.Refuse(e.Message);
        }
        try
        {
            var (spec, report) = StressTest.Finished(runDir);
            if (channelGrid && spec.Image.Channels != 3)
                return ExitCodes.Refuse($"--channel-grid: the red × blue channel grid needs an RGB study (image.channels: 3); study {spec.Name} has {spec.Image.Channels} channel");
            var selection = StressSelection.Of(spec.Robustness, transforms, severities); // the spec's parts were checked when it was read
            selection = selection with { ChannelGrid = channelGrid || selection.ChannelGrid };
            var total = StressTest.Evaluations(report, selection);
            var result = Console.IsOutputRedirected
                ? StressTest.Run(runDir, spec, report, selection, () => { })
                : AnsiConsole.Progress().Start(ctx =>
                {
                    var bar = ctx.AddTask($"stress-testing {report.Folds.Count} outer fold(s)", maxValue: total);
                    return StressTest.Run(runDir, spec, report, selection, () => bar.Increment(1));
                });
            RobustnessTable.Write(result, AnsiConsole.Console);
            Console.WriteLine($"wrote {Path.GetFullPath(RobustnessReport.PathIn(runDir))}");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is InvalidDataException or DataException or SpecException or ChildFileException or FileNotFoundException)
        {
            return ExitCodes.Refuse(e.Message);
        }
    }
}
