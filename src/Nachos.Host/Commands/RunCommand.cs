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
using Spectre.Console;
using Nachos.Shared.Study;
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
        using var interrupt = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            interrupt.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            interrupt.Cancel();
        });
        try
        {
            return await Run(specPath, runDirOption, devicesOption, interrupt.Token);
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            Console.Error.WriteLine("stopped before the study started; nothing ran");
            return ExitCodes.Interrupted;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static async Task<int> Run(string specPath, string? runDirOption, int? devicesOption, CancellationToken interrupt)
    {
        if (devicesOption is < 1 or > ExecutionSpec.MaxDevices)
            return ExitCodes.Refuse($"--devices {devicesOption}: must be 1 to {ExecutionSpec.MaxDevices} (the range of execution.devices)");
        var inputs = StudyInputs.Load(specPath);
        if (inputs is null) return ExitCodes.BadInput;
        interrupt.ThrowIfCancellationRequested();
        var (spec, data, plan) = inputs;
        var runDir = Path.GetFullPath(runDirOption ?? Path.Combine("runs", spec.Name));
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
            RunDirectoryCatalog.Store(runDir, specPath, plan);
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidDataException or JournalCheckException)
        {
            runLock.Dispose();
            return ExitCodes.Refuse(e.Message);
        }
        var catalog = new RunDirectoryCatalog(runDir);
        var context = new StudyContext(spec, plan, data.Manifest, runDir);
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
            var listener = node.System.ActorOf(Props.Create(() => new EventListener(events.Writer)), "cli-events");
            // Subscribed before the study starts, so a study that completes at once is not missed.
            node.System.EventStream.Subscribe(listener, typeof(StudyProgress));
            node.System.EventStream.Subscribe(listener, typeof(StudyCompleted));
            // A full disk stops the run as Ctrl-C does, but says so and exits 1.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(interrupt);
            var storage = StorageFault.Get(node.System);
            storage.StopOnFault(stop.Cancel);
            try
            {
                AnsiConsole.MarkupLineInterpolated(
                    $"[bold]{spec.Name}[/]: {plan.Outer.Count} outer folds × {plan.Outer[0].Inner.Count} inner splits × {spec.Search.Trials} trials on {devices} device(s); run directory {runDir}");
                node.Tell(spec.Name, new StartStudy(spec.Name));
                var report = await Watch(spec, plan.Outer.Count, events.Reader, stop.Token);
                ReportTable.Write(report);
                AnsiConsole.MarkupLineInterpolated($"wrote {RunLayout.ReportPath(runDir)} and {RunLayout.ReportCsv} (see also: nachos report {runDir} --format html)");
                return report.Complete ? ExitCodes.Ok : Failed(report);
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

    private static async Task<Shared.Study.StudyReport> Watch(StudySpec spec, int folds, ChannelReader<object> events, CancellationToken cancel)
    {
        Shared.Study.StudyReport? report = null;
        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var overall = ctx.AddTask("[bold]study[/]", maxValue: folds * (spec.Search.Trials + 1));
                var bars = Enumerable.Range(0, folds).Select(k => ctx.AddTask($"outer fold {k}", maxValue: spec.Search.Trials + 1)).ToArray();
                var done = new double[folds];
                await foreach (var e in events.ReadAllAsync(cancel))
                {
                    if (e is StudyProgress p && p.StudyId == spec.Name && p.Outer < folds)
                    {
                        done[p.Outer] = p.TrialsFinished + (p.FoldDone ? 1 : 0);
                        bars[p.Outer].Value = done[p.Outer];
                        bars[p.Outer].Description = $"outer fold {p.Outer}: {p.TrialsFinished}/{p.Trials} trials"
                                                    + (p.TrialsFailed > 0 ? $" ([red]{p.TrialsFailed} failed[/])" : "")
                                                    + $", {p.TrialsStarted - p.TrialsFinished} running" + (p.FoldDone ? ", refit done" : "");
                        overall.Value = done.Sum();
                    }
                    else if (e is StudyCompleted c && c.StudyId == spec.Name)
                    {
                        report = c.Report;
                        overall.Value = overall.MaxValue;
                        foreach (var b in bars) b.Value = b.MaxValue;
                        return;
                    }
                }
            });
        return report ?? throw new OperationCanceledException();
    }

    private static string StorageFull(string runDir) =>
        $"error: the disk holding {runDir} is full; the journal is intact: free space there and run the same command again to resume";

    private static int Failed(Shared.Study.StudyReport report)
    {
        ReportTable.WriteFaults(report);
        Console.Error.WriteLine("the study did not complete; the report above is partial");
        return ExitCodes.Failed;
    }
}
