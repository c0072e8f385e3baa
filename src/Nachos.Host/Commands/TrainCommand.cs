using System.CommandLine;
using System.Globalization;
using Nachos.Shared.Tasks;
using Nachos.Training.Engine;
using Spectre.Console;
using TorchSharp;
using Nachos.Shared.Study;
using Nachos.Shared.Metrics;
using Nachos.Host.Running;
using Nachos.Host.Cli;

namespace Nachos.Host.Commands;

/// <summary>
/// <c>nachos train SPEC</c>: trains one split of the plan. With <c>--inner J</c>: inner split J of outer fold K
/// (train, early-stop on validation). Without: inner split 0's training and validation sets, then one
/// evaluation on outer test fold K. With <c>--refit --epochs N</c>: all of D \ T_k for N epochs, then T_k.
/// </summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var spec = new Argument<string>("spec") { Description = "study spec (YAML)" };
        var outer = new Option<int>("--outer") { Description = "outer fold index", DefaultValueFactory = _ => 0 };
        var inner = new Option<int?>("--inner") { Description = "inner split index (omit to evaluate on the outer test fold)" };
        var refit = new Option<bool>("--refit") { Description = "train on the whole outer-train set for --epochs epochs" };
        var epochs = new Option<int?>("--epochs") { Description = "epochs (default: training.max_epochs)" };
        var runDir = new Option<string?>("--run-dir") { Description = "run directory (default: runs/<study name>)" };
        var resume = new Option<bool>("--resume") { Description = "continue from the task's checkpoint" };
        var command = new Command("train", "train one split of a study's plan") { spec, outer, inner, refit, epochs, runDir, resume };
        command.SetAction(r => Run(r.GetValue(spec)!, r.GetValue(outer), r.GetValue(inner), r.GetValue(refit), r.GetValue(epochs),
            r.GetValue(runDir), r.GetValue(resume)));
        return command;
    }

    private static int Run(string specPath, int outerIndex, int? innerIndex, bool refit, int? epochs, string? runDir, bool resume)
    {
        var inputs = StudyInputs.Load(specPath);
        if (inputs is null) return ExitCodes.BadInput;
        var (spec, data, plan) = inputs;
        if (outerIndex < 0 || outerIndex >= plan.Outer.Count)
            return ExitCodes.Refuse($"--outer {outerIndex}: the plan has outer folds 0..{plan.Outer.Count - 1}");
        var fold = plan.Outer[outerIndex];
        if (innerIndex is { } j && (j < 0 || j >= fold.Inner.Count))
            return ExitCodes.Refuse($"--inner {j}: outer fold {outerIndex} has inner splits 0..{fold.Inner.Count - 1}");
        if (refit && innerIndex is not null) return ExitCodes.Refuse("--refit and --inner exclude each other");
        if (epochs is < 1) return ExitCodes.Refuse($"--epochs {epochs}: must be at least 1");

        var dir = Path.GetFullPath(runDir ?? Path.Combine("runs", spec.Name));
        var hash = plan.Write(RunLayout.SplitsPath(dir));
        var address = refit ? TaskAddress.Refit(spec.Name, outerIndex) : TaskAddress.Standalone(spec.Name, outerIndex, innerIndex);
        var split = fold.Inner[innerIndex ?? 0];
        var task = new TrainingTask(
            address.ToString(),
            refit ? fold.Train : split.Train,
            refit ? [] : split.Validation,
            innerIndex is null ? fold.Test : [],
            Hyperparameters.Empty,
            epochs ?? spec.Training.MaxEpochs,
            spec.Seed,
            RunLayout.TaskDirectory(dir, address));
        var checkpoint = new Checkpoint(task.Directory);
        if (checkpoint.Exists && !resume)
            return ExitCodes.Refuse($"{checkpoint.Folder} exists: pass --resume to continue it, or remove the folder to start over");
        if (!checkpoint.Exists && resume)
            return ExitCodes.Refuse($"--resume: no checkpoint at {checkpoint.Folder}");

        if (spec.Training.Threads > 0) torch.set_num_threads(spec.Training.Threads);
        var device = torch.cuda.is_available() ? "cuda" : "cpu";
        AnsiConsole.MarkupLineInterpolated(
            $"[bold]{task.TaskId}[/]: {task.Train.Count} train, {task.Validation.Count} validation, {task.Test.Count} test images on {device}; plan {hash[..12]}");

        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            var result = AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    var bar = ctx.AddTask("starting", maxValue: task.MaxEpochs);
                    var last = "";
                    return new Trainer(spec, data, device).Run(task, p =>
                    {
                        if (p.Completed is { } e) last = Describe(e);
                        bar.Description = $"epoch {p.Epoch + 1}/{p.MaxEpochs} {(p.Completed is null ? $"batch {p.Batch}/{p.Batches} loss {p.RunningLoss:F3}" : "")} {last}".Trim();
                        bar.Value = p.Epoch + (p.Completed is null ? (double)p.Batch / Math.Max(1, p.Batches) : 1);
                    }, cancel.Token);
                });
            PrintResult(result, task.Directory);
            return ExitCodes.Ok;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"stopped: checkpoint written to {checkpoint.Folder}; rerun with --resume to continue");
            return ExitCodes.Interrupted;
        }
        catch (TrainingDivergedException e)
        {
            Console.Error.WriteLine($"failed: {e.Message}");
            return ExitCodes.Failed;
        }
        catch (InvalidDataException e)
        {
            return ExitCodes.Refuse(e.Message);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static string Describe(EpochRecord e) =>
        $"· train {e.TrainLoss:F3}" + (e.ValidationLoss is { } v ? $" · val {v:F3}" : "")
                                    + (e.Metrics.GetValueOrDefault("auroc") is { } a ? $" · AUROC {a:F3}" : "")
                                    + (e.Metrics.GetValueOrDefault("dice") is { } d ? $" · Dice {d:F3}" : "");

    private static void PrintResult(TrainingResult r, string dir)
    {
        var table = new Table().Title($"{r.TaskId}: best epoch {r.BestEpoch} of {r.EpochsRun}, {r.Seconds:F1} s").AddColumn("metric");
        var sets = new[] { ("validation", r.ValidationMetrics), ("test", r.TestMetrics) }.Where(s => s.Item2.Count > 0).ToList();
        foreach (var (set, _) in sets) table.AddColumn(new TableColumn(set).RightAligned());
        foreach (var metric in sets.SelectMany(s => s.Item2.Keys).Distinct())
            table.AddRow([metric, .. sets.Select(s => MetricText.Show(s.Item2[metric]))]);
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"wrote {RunLayout.MetricsPath(dir)}, {RunLayout.History}, {RunLayout.Predictions}, {RunLayout.Model}");
    }
}
