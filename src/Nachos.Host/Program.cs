using System.CommandLine;
using Nachos.Host.Commands;

var root = new RootCommand("nachos: nested cross-validation with hyperparameter search for medical-imaging models")
{
    RunCommand.Create(),
    NodeCommand.Create(),
    SubmitCommand.Create(),
    TrainCommand.Create(),
    ReportCommand.Create(),
    TaskCommand.Create(),
    DatasetCommand.Create(),
    ClusterCommand.Create(),
    StudyCommand.Create(),
    TrialCommand.Create(),
};
root.Options.Add(GlobalOptions.Root);
root.Options.Add(GlobalOptions.Host);
root.Options.Add(GlobalOptions.Token);
// No command: the interactive shell, keeping the global options given here (--host, --token, --root).
root.SetAction((_, cancel) => Shell.Run(root, args, cancel));
return await root.Parse(args).InvokeAsync();
