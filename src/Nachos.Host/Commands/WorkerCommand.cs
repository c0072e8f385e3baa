using System.CommandLine;
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
        // A signal during a task's training stops it with a checkpoint, and the worker ends after its answer.
        using var signals = new TrainingSignals(stop);
        if (parentPid is { } pid) TaskCommand.CancelWhenGone(pid, stop);
        while (!stop.IsCancellationRequested && Console.In.ReadLine() is { } line)
        {
            if (WorkerProtocol.ParseRequest(line) is not { } request)
            {
                Console.Error.WriteLine($"worker: not a task request (expected {WorkerProtocol.RequestFormat})");
                return ExitCodes.BadInput;
            }
            Console.Error.WriteLine(WorkerProtocol.Begin);
            int code;
            var crashed = false;
            try
            {
                code = TaskCommand.Attempt(request.RunDir, request.TaskFile, device, parentPid, stop.Token, () => signals.Training = true);
            }
            catch (Exception e)
            {
                Console.Error.WriteLine(e);
                (code, crashed) = (ExitCodes.Failed, true);
            }
            // Answered before a signal may end it again: a finished task is not reported as interrupted.
            Console.Error.WriteLine(WorkerProtocol.End);
            Console.Out.WriteLine(WorkerProtocol.Done(code));
            // After a failure of an unknown kind the worker's state is not trusted for the next task.
            if (crashed) return ExitCodes.Failed;
            signals.Training = false;
            if (code == ExitCodes.Interrupted) return code;
        }
        return stop.IsCancellationRequested ? ExitCodes.Interrupted : ExitCodes.Ok;
    }
}
