using System.CommandLine;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Akka.Actor;
using Nachos.Actors.Storage;
using Nachos.Actors.Devices;
using Nachos.Actors.Entities;
using Nachos.Actors.Messages;
using Nachos.Actors.Node;
using Nachos.Host.Running;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Spectre.Console;
using Nachos.Shared.Study;
using Nachos.Shared.Metrics;
using Nachos.Host.Cli;

namespace Nachos.Host.Commands;

/// <summary>
/// <c>nachos run SPEC</c>: the main job. Starts the embedded one-node cluster on the run directory's
/// SQLite journal, submits the study, shows live progress and prints the report. Running it again on
/// the same run directory resumes: finished tasks are not re-run, interrupted ones continue from their
/// checkpoints.
/// </summary>
public static class RunCommand
{
    public static Command Create()
    {
        var spec = new Argument<string>("spec") { Description = "study spec (YAML)" };
        var runDir = new Option<string?>("--run-dir") { Description = "run directory (default: runs/<study name>)" };
        var devices = new Option<int?>("--devices") { Description = "device slots on this node (default: execution.devices)" };
        var command = new Command("run", "run a study: nested cross-validation with hyperparameter search") { spec, runDir, devices };
        command.SetAction((r, _) => Run(r.GetValue(spec)!, r.GetValue(runDir), r.GetValue(devices)));
        return command;
    }

    private static async Task<int> Run(string specPath, string? runDirOption, int? devicesOption)
    {
        // From the first moment, Ctrl-C and SIGTERM stop the run in order (the default action would kill it
        // while it loads data or writes the run directory).
        using var interrupt = new Interruption();
        try
        {
            return await Run(specPath, runDirOption, devicesOption, interrupt.Token);
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            Console.Error.WriteLine("stopped before the study started; nothing ran");
            return ExitCodes.Interrupted;
        }
    }

    private static async Task<int> Run(string specPath, string? runDirOption, int? devicesOption, CancellationToken interrupt)
    {
        if (devicesOption is < 1 or > ExecutionSpec.MaxDevices)
            return ExitCodes.Refuse($"--devices {devicesOption}: must be 1 to {ExecutionSpec.MaxDevices} (the range of execution.devices)");
        var inputs = StudyInputs.Load(specPath);
        if (inputs is null) return ExitCodes.BadInput;
        interrupt.ThrowIfCancellationRequested();
        var runDir = Path.GetFullPath(runDirOption ?? Path.Combine("runs", inputs.Spec.Name));
        return await RunStudy(inputs, File.ReadAllText(specPath), specPath, runDir, devicesOption, null, interrupt);
    }

    /// <summary>
    /// Runs (or resumes) a checked study in <paramref name="runDir"/> on an embedded node until its report: the spec
    /// <paramref name="specText"/> (its relative paths resolving from <paramref name="specPath"/>'s folder) and the plan are
    /// stored first. <paramref name="origin"/>: a deploy run (<c>nachos deploy</c>), which takes its outer folds from there.
    /// </summary>
    internal static async Task<int> RunStudy(StudyInputs inputs, string specText, string specPath, string runDir, int? devicesOption,
        DeployOrigin? origin, CancellationToken interrupt)
    {
        var (spec, data, plan) = inputs;
        RunDirectoryLock runLock;
        try
        {
            // The claim comes first: of two runs started on one new directory, the loser writes nothing.
            runLock = RunDirectoryLock.Acquire(runDir);
        }
        catch (RunDirectoryException e)
        {
            return ExitCodes.Refuse(e.Message);
        }
        try
        {
            JournalCheck.Verify(runDir, spec.Name, plan.Hash); // before Store, which writes the study's files
            RunDirectoryCatalog.Store(runDir, specText, specPath, plan);
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidDataException or JournalCheckException)
        {
            runLock.Dispose();
            return ExitCodes.Refuse(e.Message);
        }
        var catalog = new RunDirectoryCatalog(runDir);
        var context = new StudyContext(spec, plan, data.Manifest, runDir, origin);
        catalog.Add(context);
        var executor = new SpecExecutor(catalog);
        var devices = devicesOption ?? spec.Execution.Devices;

        NachosNode node;
        try
        {
            node = await NachosNode.StartEmbedded(runDir, catalog, executor, devices, runLock: runLock, stop: interrupt);
        }
        catch (CampaignKeyException e)
        {
            return ExitCodes.Refuse(e.Message);
        }
        catch (Exception e) when (DiskFull.Is(e))
        {
            Console.Error.WriteLine(StorageFull(runDir));
            return ExitCodes.Failed;
        }

        await using (node)
        {
            var events = Channel.CreateUnbounded<object>();
            node.Listen(Props.Create(() => new EventListener(events.Writer)), "cli-events", typeof(StudyCompleted));
            // A full disk stops the run as Ctrl-C does, but says so and exits 1.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupt);
            var storage = StorageFault.Get(node.System);
            storage.StopOnFault(stop.Cancel);
            try
            {
                if (origin is null)
                    AnsiConsole.MarkupLineInterpolated(
                        $"[bold]{spec.Name}[/]: {plan.Outer.Count} outer folds × {plan.Outer[0].Inner.Count} inner splits × {spec.Search.Trials} trials{(plan.Deploy is null ? "" : ", then the deploy fold (the same search on all data, the final model)")} on {devices} device(s); run directory {runDir}");
                else
                    AnsiConsole.MarkupLineInterpolated(
                        $"[bold]{spec.Name}[/]: deploying: its {plan.Outer.Count} outer folds are taken from {origin.RunDir} unchanged{(plan.Deploy is null ? "" : $"; the deploy fold ({plan.Deploy.Inner.Count} inner splits of all data × {spec.Search.Trials} trials, then the final model)")} on {devices} device(s); deploy run directory {runDir}");
                node.Tell(spec.Name, new StartStudy(spec.Name, context.Brief));
                var report = await Watch(node, spec, plan, devices, origin is null ? [] : origin.Folds.Select(f => f.Outer).ToHashSet(), events.Reader, stop.Token);
                ReportTable.Write(report, result: StudyResult.Load(runDir, report)?.Text, calibration: ReportTable.ReadCalibration(runDir));
                AnsiConsole.MarkupLineInterpolated($"wrote {RunLayout.ReportPath(runDir)} and {RunLayout.ReportCsv} (see also: nachos report {runDir} --format html)");
                var tasks = await Tasks(node, spec.Name, stop.Token) is { Count: > 0 } open ? open : StudyTaskFile.Read(runDir)?.Tasks ?? [];
                if (StudyCost.Of(tasks, plan.Deploy is null ? null : plan.DeployIndex, spec.Search) is { Tasks: > 0 } cost)
                    AnsiConsole.MarkupLineInterpolated($"cost: {cost.Text()}");
                if (!report.Complete) return Failed(report);
                // A deploy run's outer folds were stress-tested and given a learning curve (or not) with the study they belong to.
                if (origin is not null) return ExitCodes.Ok;
                if (spec.Robustness is not null && StressCommand.Show(runDir) is var stressed and not ExitCodes.Ok)
                    return stressed;
                return spec.LearningCurve is not null ? LearningCurveCommand.Run(runDir, null, null, stop.Token) : ExitCodes.Ok;
            }
            catch (OperationCanceledException) when (storage.HasOccurred)
            {
                Console.Error.WriteLine(StorageFull(runDir));
                return ExitCodes.Failed;
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine($"stopping: running tasks checkpoint; run the same command again to resume ({runDir})");
                return ExitCodes.Interrupted;
            }
        }
    }

    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// A bar per outer fold (tasks ended of its total; trials finished, running tasks with their epochs, the refit) from the
    /// study's progress model, asked of the queue every second, until the study's report arrives.
    /// </summary>
    /// <param name="inherited">Folds taken from a finished study (a deploy run): no bar.</param>
    private static async Task<StudyReport> Watch(NachosNode node, StudySpec spec, SplitPlan plan, int devices, IReadOnlySet<int> inherited, ChannelReader<object> events, CancellationToken cancel)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        StudyReport? report = null;
        var innerSplits = plan.InnerSplitsPerFold;
        var stressed = StudyProgressView.StressedFolds(spec, plan);
        var planned = StudyProgressView.Of([], spec.Search.Trials, innerSplits, stressed: stressed);
        await AnsiConsole.Progress()
            // No RemainingTimeColumn: it extrapolates the bar's rate, which trials and refits of different lengths make wrong.
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn())
            .StartAsync(async ctx =>
            {
                var overall = ctx.AddTask("[bold]study[/]", maxValue: planned.Folds.Where(f => !inherited.Contains(f.Outer)).Sum(f => f.TasksTotal));
                var bars = planned.Folds.Select(f => inherited.Contains(f.Outer) ? null : ctx.AddTask(FoldName(plan, f.Outer), maxValue: f.TasksTotal)).ToArray();
                while (true)
                {
                    while (events.TryRead(out var e))
                        if (e is StudyCompleted c && c.StudyId == spec.Name)
                        {
                            report = c.Report;
                            overall.Value = overall.MaxValue;
                            foreach (var b in bars.OfType<ProgressTask>()) b.Value = b.MaxValue;
                            return;
                        }
                    // No tasks: the study has not started yet, or its queue has just closed it (the report follows).
                    if (await Tasks(node, spec.Name, cancel) is { Count: > 0 } tasks)
                        Show(plan, StudyProgressView.Of(tasks, spec.Search.Trials, innerSplits, spec.Search.Metric, spec.Search.Maximise, stressed) with { TasksTotal = (int)overall.MaxValue },
                            overall, bars, clock.Elapsed, devices);
                    using var tick = CancellationTokenSource.CreateLinkedTokenSource(cancel);
                    tick.CancelAfter(RefreshInterval);
                    try
                    {
                        if (!await events.WaitToReadAsync(tick.Token)) throw new OperationCanceledException();
                    }
                    catch (OperationCanceledException) when (!cancel.IsCancellationRequested && tick.IsCancellationRequested)
                    {
                    }
                }
            });
        return report ?? throw new OperationCanceledException();
    }

    /// <summary>The study's tasks as the queue sees them; null when it does not answer in time (it is recovering).</summary>
    private static async Task<IReadOnlyList<TaskView>?> Tasks(NachosNode node, string studyId, CancellationToken cancel)
    {
        try
        {
            return (await node.Queue.Ask<StudyTasks>(new GetStudyTasks(studyId), TimeSpan.FromSeconds(5), cancel)).Tasks;
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    private static string FoldName(SplitPlan plan, int k) => k == plan.DeployIndex ? "deploy fold (all data)" : $"outer fold {k}";

    private static void Show(SplitPlan plan, StudyProgressView progress, ProgressTask overall, ProgressTask?[] bars, TimeSpan elapsed, int devices)
    {
        overall.Value = progress.TasksEnded;
        overall.Description = $"[bold]study[/]: {progress.TasksEnded}/{progress.TasksTotal} tasks, {Markup.Escape(progress.TimeText(elapsed, devices))}"
                               + (progress.RetryText() is { Length: > 0 } retries ? $" ([yellow]{Markup.Escape(retries)}[/])" : "");
        foreach (var f in progress.Folds.Where(f => bars[f.Outer] is not null))
        {
            var epochs = progress.Running.Where(t => t.Outer == f.Outer && t.Epoch is not null).Select(t => t.EpochText()).ToList();
            bars[f.Outer]!.Value = f.TasksEnded;
            bars[f.Outer]!.Description = $"{FoldName(plan, f.Outer)}: {f.TrialsFinished}/{f.Trials} trials"
                                        + (f.Failed > 0 ? $" ([red]{f.Failed} tasks failed[/])" : "")
                                        + $", {f.Running} running" + (epochs.Count > 0 ? $" ({string.Join(", ", epochs)})" : "")
                                        + (f.BestScore is { } best ? $", best {MetricText.Show(best, "-")}" : "")
                                        + (f.RefitDone ? f.Outer == plan.DeployIndex ? ", final model trained" : ", refit done" : "");
        }
    }

    private static string StorageFull(string runDir) =>
        $"error: the disk holding {runDir} is full; the journal is intact: free space there and run the same command again to resume";

    private static int Failed(StudyReport report)
    {
        ReportTable.WriteFaults(report);
        Console.Error.WriteLine("the study did not complete; the report above is partial");
        return ExitCodes.Failed;
    }
}
