using System.Globalization;
using Nachos.Shared.Tasks;
using Nachos.Shared.Study;
using Spectre.Console;
using Nachos.Shared.Metrics;

namespace Nachos.Host.Running;

/// <summary>The console rendering of a study report.</summary>
public static class ReportTable
{
    private static void WriteResult(ResultText result, IAnsiConsole console)
    {
        if (result.Banner is { } banner) console.MarkupLine($"[black on yellow]{Markup.Escape(banner)}[/]");
        console.MarkupLine($"[bold]{Markup.Escape(result.Headline)}[/]");
        foreach (var line in result.Details) console.MarkupLine($"[grey]{Markup.Escape(line)}[/]");
        console.WriteLine();
    }

    /// <summary>The run directory's calibration.json, null when it has none; one that cannot be read is said on standard error.</summary>
    public static StudyCalibration? ReadCalibration(string runDir)
    {
        try
        {
            return StudyCalibration.Read(runDir);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return null;
        }
    }

    /// <summary>Says on standard error what kept the study from completing (failed folds, unusable files), one line each.</summary>
    public static void WriteFaults(StudyReport report)
    {
        foreach (var fault in report.Faults()) Console.Error.WriteLine($"error: {fault}");
    }

    /// <summary>
    /// The test metrics per acquisition site within each outer fold, each with its patient-level bootstrap 95 % CI; when every
    /// outer test fold was one site (leave-site-out), each site (first column) as the external test set.
    /// </summary>
    public static void WriteSites(IReadOnlyList<SiteResult> sites, IReadOnlyList<string> metrics, IAnsiConsole console)
    {
        var external = SiteResult.AreExternal(sites);
        var table = new Table().Title(external
            ? "each site as the external test set (its outer fold's model never saw it; 95 % CI: bootstrap over its patients)"
            : "test metrics per site within each outer fold (95 % CI: bootstrap over the site's patients)");
        if (external) table.AddColumns("site", "fold");
        else table.AddColumns("fold", "site");
        table.AddColumn(new TableColumn("images").RightAligned()).AddColumn(new TableColumn("patients").RightAligned())
            .AddColumn("metric").AddColumn(new TableColumn("value").RightAligned()).AddColumn(new TableColumn("95 % CI").RightAligned());
        // One line per metric (a column per metric with its interval would not fit a terminal); the site's columns on its first.
        foreach (var s in sites)
            for (var i = 0; i < metrics.Count; i++)
            {
                var name = s.Site.Length == 0 ? "(none)" : s.Site;
                var e = s.Of(metrics[i]);
                List<string> cells = i > 0 ? ["", "", "", ""] : external
                    ? [name, s.Outer.ToString(), s.Images.ToString(), s.Patients.ToString()]
                    : [s.Outer.ToString(), name, s.Images.ToString(), s.Patients.ToString()];
                cells.Add(metrics[i]);
                cells.Add(MetricText.Show(e?.Value));
                cells.Add(e?.Low is { } lo && e.High is { } hi ? $"{MetricText.Show(lo)} – {MetricText.Show(hi)}" : "n/a");
                table.AddRow(cells.Select(Markup.Escape).ToArray());
            }
        console.Write(table);
    }

    /// <param name="console">Where to write (default: the terminal).</param>
    /// <param name="result">The result in words, written first (when the run directory is at hand).</param>
    /// <param name="calibration">The study's calibration.json (when the run directory is at hand and has one).</param>
    public static void Write(StudyReport report, IAnsiConsole? console = null, ResultText? result = null, StudyCalibration? calibration = null)
    {
        console ??= AnsiConsole.Console;
        if (result is not null) WriteResult(result, console);
        static string F(double? v) => MetricText.Show(v);

        // The task's headline metric (the report lists it first): AUROC for image-level tasks, Dice for segmentation.
        var headline = report.Metrics.FirstOrDefault()?.Metric ?? "auroc";
        var folds = new Table().Title($"{report.StudyId}: outer folds").AddColumns("fold", "trial", "configuration", "inner ± SE", "epochs",
            $"test {MetricText.Name(headline)}");
        foreach (var f in report.Folds)
            folds.AddRow(f.Outer.ToString(), f.ChosenTrial?.ToString() ?? "-", Markup.Escape(f.Config?.Display() ?? f.Failure ?? ""),
                f.InnerScore is null ? "-" : $"{F(f.InnerScore)} ± {F(f.InnerStandardError)}", f.RefitEpochs.ToString(),
                F(f.TestMetrics.GetValueOrDefault(headline)));
        console.Write(folds);

        var metrics = new Table().Title("test metrics across outer folds").AddColumns("metric", "mean", "SD", "SE", "95% CI (t)", "95% CI (bootstrap)");
        foreach (var m in report.Metrics)
            metrics.AddRow(m.Metric, F(m.Summary?.Mean), F(m.Summary?.StandardDeviation), F(m.Summary?.StandardError),
                m.Summary?.CiLow is null ? "n/a" : $"{F(m.Summary.CiLow)} – {F(m.Summary.CiHigh)}",
                m.BootstrapLow is null ? "n/a" : $"{F(m.BootstrapLow)} – {F(m.BootstrapHigh)}");
        console.Write(metrics);

        if (report.Sites is { Count: > 0 } sites) WriteSites(sites, report.Metrics.Select(m => m.Metric).ToList(), console);

        if (report.OperatingPoint is { } point)
        {
            console.MarkupLineInterpolated($"[grey]decision threshold ({point.Rule}), chosen per fold on inner validation only:[/]");
            foreach (var f in point.Folds)
                console.MarkupLineInterpolated($"  fold {f.Outer}: {f.Threshold.ToString("G4", CultureInfo.InvariantCulture)} [grey](inner sensitivity {F(f.InnerSensitivity)}, specificity {F(f.InnerSpecificity)}{(f.ChosenBy == point.Description ? "" : "; " + f.ChosenBy)})[/]");
        }
        if (calibration is not null) console.MarkupLineInterpolated($"[grey]{calibration.Line()}[/]");

        foreach (var s in report.Stability)
            console.MarkupLineInterpolated($"[grey]chosen {s.Parameter}:[/] {string.Join(", ", s.Chosen.Select(kv => $"{Hyperparameters.Show(kv.Key)} ×{kv.Value}"))}");
    }
}
