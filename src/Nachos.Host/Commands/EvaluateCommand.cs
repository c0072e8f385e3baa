using System.CommandLine;
using Nachos.Host.Cli;
using Nachos.Shared.Data;
using Nachos.Shared.Evaluation;
using Nachos.Shared.Files;
using Nachos.Shared.Metrics;
using Nachos.Shared.Spec;
using Nachos.Training.Images;
using Spectre.Console;

namespace Nachos.Host.Commands;

/// <summary>
/// <c>nachos evaluate PREDICTIONS</c>: every metric of the task kind on a predictions CSV of any model (docs/evaluation.md),
/// Nachos's own predictions.csv included, each with a patient-level bootstrap 95 % CI, overall and per site or patient.
/// </summary>
public static class EvaluateCommand
{
    public static Command Create()
    {
        var predictions = new Argument<string>("predictions") { Description = "a predictions CSV (docs/evaluation.md), such as RUN_DIR/o0/refit/predictions.csv" };
        var masksDir = new Option<string?>("--masks-dir") { Description = "segmentation: the folder relative mask paths start from (default: the CSV's folder)" };
        var by = new Option<string>("--by") { Description = "also break the figures down per site or per patient", DefaultValueFactory = _ => "none" };
        by.AcceptOnlyFromAmong("none", "site", "patient");
        var format = new Option<string>("--format") { Description = "table, json or csv", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "csv");
        var task = new Option<string?>("--task") { Description = "binary, multiclass, multilabel or segmentation (default: read from the header)" };
        task.AcceptOnlyFromAmong([.. SpecNames.Tasks.Keys]);
        var classes = new Option<string[]>("--classes")
        {
            Description = "the classes in order (binary: the second is positive; segmentation: background first, default background foreground)",
            AllowMultipleArgumentsPerToken = true,
        };
        var set = new Option<string?>("--set") { Description = "score only the rows of this set (a file with several sets needs it)" };
        var output = new Option<string?>("--out") { Description = "file to write (default: standard output)" };
        var command = new Command("evaluate", "score a predictions CSV: every metric with a patient-level bootstrap CI, per site or patient")
            { predictions, masksDir, by, format, task, classes, set, output };
        command.SetAction(r => Run(r.GetValue(predictions)!, r.GetValue(masksDir), r.GetValue(by)!, r.GetValue(format)!, r.GetValue(task),
            r.GetValue(classes) is { Length: > 0 } c ? c : null, r.GetValue(set), r.GetValue(output)));
        return command;
    }

    private static int Run(string path, string? masksDir, string by, string format, string? taskName, string[]? classes, string? set, string? outFile)
    {
        if (!File.Exists(path)) return ExitCodes.Refuse($"{path}: no such file");
        if (masksDir is not null && !Directory.Exists(masksDir)) return ExitCodes.Refuse($"--masks-dir {masksDir}: no such folder");
        if (classes is not null && classes.Distinct().Count() != classes.Length) return ExitCodes.Refuse("--classes: a class is named twice");
        EvaluationSet data;
        try
        {
            var task = taskName is null ? EvaluationInput.InferTask(path) : SpecNames.Tasks[taskName];
            if (task == TaskKind.Segmentation && EvaluationInput.HasMaskFiles(path))
            {
                IReadOnlyList<string> names = classes ?? ["background", "foreground"];
                if (names.Count is < 2 or > 256) return ExitCodes.Refuse($"--classes: segmentation needs 2 to 256 classes, background first ({names.Count} given)");
                var cases = EvaluationInput.ReadMaskCases(path, masksDir is null ? null : Path.GetFullPath(masksDir), set);
                data = EvaluationInput.ScoreMasks(path, cases, names, EvaluationSpec.DefaultSurfaceTolerance, Labels, Probabilities);
            }
            else data = EvaluationInput.ReadPredictions(path, task, classes, set);
        }
        catch (InvalidDataException e)
        {
            return ExitCodes.Refuse(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return ExitCodes.Refuse($"{path}: cannot read ({e.GetType().Name})");
        }
        if (by == "site" && !data.HasSites) return ExitCodes.Refuse($"{path}: --by site needs a '{EvaluationInput.Site}' column");

        var report = EvaluationReport.Build(data, by switch { "site" => Breakdown.Site, "patient" => Breakdown.Patient, _ => Breakdown.None });
        var text = format switch
        {
            "json" => report.ToJson() + Environment.NewLine,
            "csv" => report.ToCsv(),
            _ => null,
        };
        if (text is null && outFile is null)
        {
            Write(report, AnsiConsole.Console);
            return ExitCodes.Ok;
        }
        return CommandOutput.Write(text ?? CommandOutput.Plain(console => Write(report, console), 200), outFile);
    }

    private static (int, int, byte[]) Labels(string file, int classes)
    {
        var header = MaskDecoder.Header(file);
        return (header.Height, header.Width, MaskDecoder.Decode(file, header, classes, long.MaxValue));
    }

    /// <summary>A probability map PNG: grey 0–255 for probabilities 0–1 (as Nachos writes its <c>.prob.png</c>).</summary>
    private static (int, int, double[]) Probabilities(string file)
    {
        var header = MaskDecoder.Header(file);
        if (header.BitDepth == 16) throw new DataException($"{file}: a probability map must be an 8-bit PNG (0–255 for 0–1)");
        var values = MaskDecoder.Decode(file, header, 256, long.MaxValue);
        return (header.Height, header.Width, values.Select(v => v / 255.0).ToArray());
    }

    /// <summary>Rows: all images, then each group; columns: each metric, its value over its 95 % CI.</summary>
    public static void Write(EvaluationReport report, IAnsiConsole console)
    {
        var table = new Table().AddColumn(report.By == "none" ? "images" : report.By).AddColumn(new TableColumn("n").RightAligned());
        foreach (var m in report.Overall.Metrics) table.AddColumn(new TableColumn(m.Metric).RightAligned());
        foreach (var g in report.Groups.Prepend(report.Overall))
        {
            var cells = new List<string> { g == report.Overall ? "all" : g.Name.Length == 0 ? "(none)" : g.Name, $"{g.Images} img\n{g.Patients} pt" };
            cells.AddRange(g.Metrics.Select(m => $"{MetricText.Show(m.Value)}\n{(m.Low is null ? "" : $"{MetricText.Show(m.Low)}–{MetricText.Show(m.High)}")}"));
            table.AddRow(cells.Select(Markup.Escape).ToArray());
        }
        console.Write(table);
        console.WriteLine($"{report.File}: {report.Task}, classes {string.Join(", ", report.Classes)}; decision rule: {report.DecisionRule}.");
        console.WriteLine($"Under each value: its {report.Level:P0} CI, percentile bootstrap over patients ({report.Replicates} replicates, seed {report.Seed}); " +
                          "n/a: undefined (e.g. AUROC with one class present); no CI: fewer than 2 patients.");
    }
}
