using Nachos.Host.Cli;
using System.CommandLine;

namespace Nachos.Host.Commands;

/// <summary>The command tree of <c>nachos</c>.</summary>
public static class NachosCli
{
    /// <param name="args">The process's arguments: the shell (no command) runs every line with them.</param>
    public static RootCommand Create(IReadOnlyList<string> args)
    {
        var root = new RootCommand("nachos: nested cross-validation with hyperparameter search for medical-imaging models")
        {
            RunCommand.Create(),
            DeployCommand.Create(),
            NodeCommand.Create(),
            SubmitCommand.Create(),
            TrainCommand.Create(),
            ReportCommand.Create(),
            TaskCommand.Create(),
            WorkerCommand.Create(),
            DatasetCommand.Create(),
            ClusterCommand.Create(),
            StudyCommand.Create(),
            TrialCommand.Create(),
            EnsembleCommand.Create(),
            EvaluateCommand.Create(),
            CompareCommand.Create(),
            BundleCommand.Create(),
            PredictCommand.Create(),
            ModelCommand.Create(),
            StressCommand.Create(),
            LearningCurveCommand.Create(),
            ProxyCheckCommand.Create(),
        };
        // No command: the interactive shell, keeping the options given here (--host, --token, --root).
        root.WithApi();
        root.SetAction((_, cancel) => Shell.Run(root, args, cancel));
        return root;
    }
}
