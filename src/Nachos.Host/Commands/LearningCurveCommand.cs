using System.CommandLine;
using Nachos.Host.Cli;
using Nachos.Host.Running;
using Nachos.Shared.Data;
using Nachos.Shared.LearningCurves;
using Nachos.Shared.Spec;
using Nachos.Shared.TaskProcess;
using Spectre.Console;

namespace Nachos.Host.Commands;

/// <summary>
/// <c>nachos learning-curve RUN_DIR</c>: a finished study's chosen configurations trained on nested fractions of their outer-train
/// sets and scored on their outer test folds (docs/evaluation.md); writes learning-curve.json into the run directory.
/// </summary>
public static class LearningCurveCommand
{
    public static Command Create()
    {
        var runDir = new Argument<string>("run-dir") { Description = "the run directory of a finished study" };
        var fractions = new Option<string?>("--fractions") { Description = "comma-separated fractions in (0, 1] (default: the spec's learning_curve.fractions, else 0.1,0.25,0.5,1)" };
        var delta = new Option<double?>("--delta") { Description = "how close to the full-data metric counts as enough data (default: the spec's, else 0.02)" };
        var command = new Command("learning-curve", "train a finished study's chosen configurations on nested fractions of their outer-train sets and fit a learning curve")
            { runDir, fractions, delta };
        command.SetAction(r =>
        {
            using var interrupt = new Interruption();
            return Run(r.GetValue(runDir)!, r.GetValue(fractions), r.GetValue(delta), interrupt.Token);
        });
        return command;
    }

    /// <summary>Also <c>nachos run</c>'s last step for a spec with <c>learning_curve:</c>.</summary>
    public static int Run(string runDir, string? fractions, double? delta, CancellationToken cancel = default)
    {
        try
        {
            var (spec, report) = StressTest.Finished(runDir, "a learning curve needs a finished study");
            var curve = Options(spec.LearningCurve, fractions, delta);
            var total = LearningCurveRun.Trainings(report, curve);
            var result = Console.IsOutputRedirected
                ? LearningCurveRun.Run(runDir, spec, report, curve, () => { }, cancel)
                : AnsiConsole.Progress().Start(ctx =>
                {
                    var bar = ctx.AddTask($"learning curve: {total} training(s) over {report.Folds.Count} outer fold(s)", maxValue: Math.Max(1, total));
                    return LearningCurveRun.Run(runDir, spec, report, curve, () => bar.Increment(1), cancel);
                });
            LearningCurveTable.Write(result, AnsiConsole.Console);
            Console.WriteLine($"wrote {Path.GetFullPath(LearningCurveReport.PathIn(runDir))}");
            return ExitCodes.Ok;
        }
        catch (FormatException e)
        {
            return ExitCodes.Refuse(e.Message);
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine($"stopping: finished trainings are kept and an interrupted one continues from its checkpoint; run the same command again to resume ({runDir})");
            return ExitCodes.Interrupted;
        }
        catch (Exception e) when (e is InvalidDataException or DataException or SpecException or ChildFileException or FileNotFoundException)
        {
            return ExitCodes.Refuse(e.Message);
        }
    }

    /// <summary>The spec's section, with the options in its place; the same rules as the spec loader's.</summary>
    /// <exception cref="FormatException">A fraction or δ out of range, named with its option.</exception>
    public static LearningCurveSpec Options(LearningCurveSpec? spec, string? fractions, double? delta)
    {
        var list = spec?.Fractions ?? LearningCurveSpec.DefaultFractions;
        if (fractions is not null)
        {
            list = [];
            foreach (var part in fractions.Split(',', StringSplitOptions.TrimEntries))
                list = [.. list, double.TryParse(part, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var f) && f is > 0 and <= 1
                    ? f : throw new FormatException($"--fractions: '{part}' is not a fraction in (0, 1]")];
            if (!list.Any(f => f < 1)) throw new FormatException("--fractions: needs at least one fraction below 1 (1, the refit itself, is always included)");
        }
        var d = delta ?? spec?.Delta ?? LearningCurveSpec.DefaultDelta;
        if (!(d >= 0) || !double.IsFinite(d)) throw new FormatException($"--delta: must be a number >= 0, got {d}");
        return new LearningCurveSpec(list.Where(f => f < 1).Append(1.0).Distinct().Order().ToList(), d);
    }
}
