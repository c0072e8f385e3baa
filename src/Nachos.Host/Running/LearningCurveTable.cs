using System.Globalization;
using Nachos.Shared.LearningCurves;
using Nachos.Shared.Metrics;
using Spectre.Console;

namespace Nachos.Host.Running;

/// <summary><c>nachos learning-curve</c>'s terminal output: the search metric per fraction, the fitted curve and the least training images.</summary>
public static class LearningCurveTable
{
    private static string F(double? v) => MetricText.Show(v, "-");

    private static string Num(double v, string format = "G4") => v.ToString(format, CultureInfo.InvariantCulture);

    public static void Write(LearningCurveReport r, IAnsiConsole console)
    {
        var metric = r.Metric;
        var table = new Table()
            .Title(Markup.Escape($"outer test {metric} by fraction of the outer-train set (mean and 95 % t-interval over {r.Folds.Count} fold(s))"))
            .AddColumn("fraction").AddColumn(new TableColumn("training images").RightAligned());
        foreach (var k in r.Folds) table.AddColumn(new TableColumn($"fold {k}").RightAligned());
        table.AddColumn(new TableColumn("mean").RightAligned()).AddColumn(new TableColumn("95 % CI").RightAligned());
        if (r.Fit is not null) table.AddColumn(new TableColumn("fitted").RightAligned());
        foreach (var p in r.Points)
        {
            var m = p.Of(metric);
            var cells = new List<string> { Num(p.Fraction), Num(p.MeanImages, "0.#") };
            cells.AddRange(r.Folds.Select((_, i) => F(m?.PerFold.ElementAtOrDefault(i))));
            cells.Add(F(m?.Mean));
            cells.Add(m?.CiLow is { } lo && m.CiHigh is { } hi ? $"[{F(lo)}, {F(hi)}]" : "-");
            if (r.Fit is { } fit) cells.Add(F(new InversePowerLaw(fit.A, fit.B, fit.C).At(p.MeanImages)));
            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }
        console.Write(table);
        if (r.Fit is { } f)
            console.WriteLine($"fit: {metric}(n) = {Num(f.A)} − {Num(f.B)}·n^(−{Num(f.C)}); level approached a = {Num(f.A)}"
                + (f.ALow is { } aLo && f.AHigh is { } aHi ? $" (95 % CI {Num(aLo)} to {Num(aHi)}, bootstrap over folds, {f.Fitted} of {f.Replicates} resamples fitted)" : " (no CI: too few outer folds or fits)"));
        else console.WriteLine($"no fit: {r.FitProblem}");
        if (r.Enough is { } e)
            console.WriteLine($"least training data: fraction {Num(e.Fraction)} (about {Num(e.MeanImages, "0")} images) reaches mean {metric} {F(e.Mean)}, within δ = {Num(r.Delta)} of the full data's {F(e.FullMean)}");
    }
}
