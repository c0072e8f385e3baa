using System.Globalization;
using Nachos.Shared.Metrics;
using Nachos.Shared.Robustness;
using Spectre.Console;

namespace Nachos.Host.Running;

/// <summary><c>nachos stress</c>'s terminal output: the search metric vs severity per shift, then each metric's worst-case drop and the channel grid when there is one.</summary>
public static class RobustnessTable
{
    private static string F(double? v) => MetricText.Show(v, "-");

    private static string Cell(ShiftedMetric? m) =>
        m?.Mean is null ? "-" : m.CiLow is { } lo && m.CiHigh is { } hi ? $"{F(m.Mean)} [{F(lo)}, {F(hi)}]" : F(m.Mean);

    private static string Drop(double? d) => d?.ToString("+0.0000;-0.0000;0", CultureInfo.InvariantCulture) ?? "-";

    public static void Write(RobustnessReport r, IAnsiConsole console)
    {
        var metric = r.SearchMetric;
        var severities = r.Conditions.Select(c => c.Severity).Distinct().Order().ToList();
        var table = new Table()
            .Title(Markup.Escape($"outer test {metric} by severity (mean [95 % CI] over {r.Folds.Count} fold(s); baseline {Cell(r.Baseline.Of(metric))})"))
            .AddColumn("transform");
        foreach (var s in severities) table.AddColumn(new TableColumn($"severity {s}").RightAligned());
        table.AddColumn(new TableColumn("worst drop").RightAligned());
        foreach (var transform in r.Conditions.Select(c => c.Transform).Distinct())
        {
            var cells = new List<string> { Markup.Escape(transform) };
            cells.AddRange(severities.Select(s => Markup.Escape(Cell(r.At(transform, s)?.Of(metric)))));
            cells.Add(Drop(r.Conditions.Where(c => c.Transform == transform).Select(c => c.Of(metric)?.Drop).Max()));
            table.AddRow(cells.ToArray());
        }
        console.Write(table);
        foreach (var w in r.Worst)
            console.WriteLine($"worst-case drop of {w.Metric}: {Drop(w.Drop)} ({w.Where})");
        if (r.ChannelGrid is { } grid) WriteGrid(grid, metric, console);
    }

    /// <summary>The search metric's red × blue grid: rows the red factor, columns the blue factor, each cell the mean (drop).</summary>
    private static void WriteGrid(ChannelGridReport grid, string metric, IAnsiConsole console)
    {
        var table = new Table().Title(Markup.Escape($"outer test {metric} by red × blue channel scale (mean (drop from baseline))")).AddColumn("red \\ blue");
        foreach (var b in grid.Levels) table.AddColumn(new TableColumn(Markup.Escape(ChannelGridReport.Factor(b))).RightAligned());
        foreach (var red in grid.Levels)
        {
            var cells = new List<string> { Markup.Escape(ChannelGridReport.Factor(red)) };
            cells.AddRange(grid.Levels.Select(blue => grid.At(red, blue)?.Of(metric) is { Mean: not null } m ? $"{F(m.Mean)} ({Drop(m.Drop)})" : "-"));
            table.AddRow(cells.ToArray());
        }
        console.Write(table);
    }
}
