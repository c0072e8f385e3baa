using System.CommandLine;
using System.Runtime.InteropServices;
using Nachos.Host.Cli;
using Nachos.Host.Running;

namespace Nachos.Host.Commands;

/// <summary>
/// <c>nachos worker</c> (internal): the worker executor's process for one device. It reads one task attempt per line on
/// standard input (<see cref="WorkerProtocol"/>), runs each as <c>nachos task</c> would, one after the other, and answers each
/// with the exit code <c>nachos task</c> would have given. libtorch is loaded, and the training code compiled, once per device
/// instead of once per task. It ends at the end of its input, when its node is gone, on SIGINT or SIGTERM (checkpointing
/// the task it runs), and after a task failed in an unknown way (its state is not trusted for the next one).
/// </summary>
public static class WorkerCommand
{
    public static Command Create()
    {
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "cpu0" };
        var parent = new Option<int?>("--parent-pid") { Description = "stop (with a checkpoint) when this process is gone" };
        var command = new Command("worker", "run a device's training tasks one after the other (used by the worker executor)") { device, parent };
        command.Hidden = true;
        command.SetAction(r => Run(r.GetValue(device)!, r.GetValue(parent)));
        return command;
    }

    private static int Run(string device, int? parentPid)
    {
        using var stop = new CancellationTokenSource();
        var busy = 0;
        // During a task's training a signal stops it with a checkpoint and ends the worker after its answer; at any other
        // time (between tasks, a task still loading) it ends the worker at once (the default action: the node reads 143).
        void Stop(PosixSignalContext c)
        {
            if (Volatile.Read(ref busy) == 0) return;
            c.Cancel = true;
            stop.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        if (parentPid is { } pid) TaskCommand.CancelWhenGone(pid, stop);
        while (!stop.IsCancellationRequested && Console.In.ReadLine() is { } line)
        {
            if (WorkerProtocol.ParseRequest(line) is not { } request)
            {
                Console.Error.WriteLine($"worker: not a task request (expected {WorkerProtocol.RequestFormat})");
                return ExitCodes.BadInput;
            }
            int code;
            try
            {
                code = TaskCommand.Attempt(request.RunDir, request.TaskFile, device, parentPid, stop.Token, () => Volatile.Write(ref busy, 1));
            }
            catch (Exception e)
            {
                Console.Error.WriteLine(e);
                Console.Out.WriteLine(WorkerProtocol.Done(ExitCodes.Failed));
                return ExitCodes.Failed;
            }
            // Answered before a signal may end it again: a finished task is not reported as interrupted.
            Console.Out.WriteLine(WorkerProtocol.Done(code));
            Volatile.Write(ref busy, 0);
            if (code == ExitCodes.Interrupted) return code;
        }
        return stop.IsCancellationRequested ? ExitCodes.Interrupted : ExitCodes.Ok;
    }
}
