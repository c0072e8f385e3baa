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
};
return await root.Parse(args).InvokeAsync();
