using System.CommandLine;
using Nachos.Host.Cli;
using Nachos.Host.Dashboard;
using Nachos.Host.Running;
using Nachos.Shared.Comparison;
using Nachos.Shared.Files;
using Spectre.Console;

namespace Nachos.Host.Commands;

/// <summary>
/// <c>nachos compare RUN_DIR RUN_DIR...</c>: finished studies on the same dataset and split plan, compared per outer
/// fold (corrected resampled t-test), on their pooled out-of-fold predictions (DeLong or Wilcoxon), and for three or
/// more by ranks (Friedman, Nemenyi), each pair's p Holm-adjusted (docs/evaluation.md, "Comparing studies").
/// </summary>
public static class CompareCommand
{
    public static Command Create()
    {
        var dirs = new Argument<string[]>("run-dirs") { Description = "two or more run directories of finished studies on the same dataset and split plan", Arity = ArgumentArity.OneOrMore };
        var metric = new Option<string?>("--metric") { Description = "the outer test metric to compare (default: the first study's search metric)" };
        var format = new Option<string>("--format") { Description = "table, json, csv or html (one self-contained page)", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "csv", "html");
        var output = new Option<string?>("--out") { Description = "file to write (default: standard output)" };
        var plot = new Option<string?>("--plot") { Description = "three or more studies: write the critical-difference plot to this .png or .svg file" };
        var command = new Command("compare", "compare finished studies on the same dataset and split plan: paired tests per fold and on pooled predictions")
            { dirs, metric, format, output, plot };
        command.SetAction(r => Run(r.GetValue(dirs)!, r.GetValue(metric), r.GetValue(format)!, r.GetValue(output), r.GetValue(plot)));
        return command;
    }

    private static int Run(IReadOnlyList<string> dirs, string? metric, string format, string? outFile, string? plotFile)
    {
        if (plotFile is not null && Path.GetExtension(plotFile).ToLowerInvariant() is not (".png" or ".svg"))
            return ExitCodes.Refuse($"--plot {plotFile}: the file name must end in .png or .svg");
        StudyComparison comparison;
        try
        {
            comparison = ComparedStudies.Compare(dirs, metric);
        }
        catch (ComparisonException e)
        {
            return ExitCodes.Refuse(e.Message);
        }
        if (plotFile is not null)
        {
            if (Plots.CriticalDifferencePlot(comparison) is not { } plot)
                return ExitCodes.Refuse($"--plot {plotFile}: a critical-difference plot needs three or more studies ranked by the Friedman test{(comparison.Ranks?.Note is { } note ? $" ({note})" : "")}");
            var full = Path.GetFullPath(plotFile);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            int width = Plots.CriticalDifferenceWidth, height = Plots.CriticalDifferenceHeight(comparison.Studies.Count);
            if (Path.GetExtension(full).Equals(".svg", StringComparison.OrdinalIgnoreCase)) AtomicFile.WriteAllText(full, plot.GetSvgXml(width, height));
            else AtomicFile.Write(full, temporary => File.WriteAllBytes(temporary, plot.GetImage(width, height).GetImageBytes(ScottPlot.ImageFormat.Png)));
            Console.Error.WriteLine($"wrote {full}");
        }
        var text = format switch
        {
            "json" => comparison.ToJson() + Environment.NewLine,
            "csv" => comparison.ToCsv(),
            "html" => ComparisonPages.Page(comparison, null),
            _ => null,
        };
        if (text is null && outFile is null)
        {
            ComparisonTable.Write(comparison, AnsiConsole.Console);
            return ExitCodes.Ok;
        }
        return CommandOutput.Write(text ?? CommandOutput.Plain(console => ComparisonTable.Write(comparison, console), 160), outFile);
    }
}
