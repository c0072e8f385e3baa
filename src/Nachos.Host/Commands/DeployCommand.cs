using System.CommandLine;
using Nachos.Host.Cli;
using Nachos.Host.Running;
using Nachos.Shared.Spec;
using Nachos.Shared.SpecLoading;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;

namespace Nachos.Host.Commands;

/// <summary>
/// <c>nachos deploy RUN_DIR [--final all-data|fold-ensemble|both]</c>: DACHOS for a study that finished without
/// <c>deploy:</c>. The deploy fold (the same search on all data, then the final model trained on all data) runs as a study
/// of its own in RUN_DIR/deploy (<see cref="StudyDeployment"/>), on an embedded node like <c>nachos run</c>: its tasks are
/// queued, leased, checkpointed, and running the command again resumes it. The study's own files are not changed.
/// </summary>
public static class DeployCommand
{
    public static Command Create()
    {
        var runDir = new Argument<string>("run-dir") { Description = "the run directory of a finished study without a deploy: section" };
        var final = new Option<string?>("--final") { Description = "the model to deploy: all-data (default), fold-ensemble or both (docs/spec.md, deploy.final)" };
        var devices = new Option<int?>("--devices") { Description = "device slots on this node (default: execution.devices)" };
        var command = new Command("deploy", "DACHOS for a finished study: the same search on all data, then the final model trained on all data") { runDir, final, devices };
        command.SetAction((r, _) => Run(r.GetValue(runDir)!, r.GetValue(final), r.GetValue(devices)));
        return command;
    }

    private static async Task<int> Run(string runDirArgument, string? finalOption, int? devices)
    {
        using var interrupt = new Interruption();
        var runDir = Path.GetFullPath(runDirArgument);
        StudyDeployment.Finished finished;
        try
        {
            finished = StudyDeployment.Check(runDir);
        }
        catch (DeployException e)
        {
            return ExitCodes.Refuse(e.Message);
        }
        if (devices is < 1 or > ExecutionSpec.MaxDevices)
            return ExitCodes.Refuse($"--devices {devices}: must be 1 to {ExecutionSpec.MaxDevices} (the range of execution.devices)");
        var deployDir = RunLayout.DeployDirectory(runDir);
        var underWay = UnderWay(deployDir);
        FinalModelKind final;
        if (finalOption is null) final = underWay ?? FinalModelKind.AllData;
        else if (!SpecNames.FinalModels.TryGetValue(finalOption, out final))
            return ExitCodes.Refuse($"--final {finalOption}: expected {string.Join(", ", SpecNames.FinalModels.Keys)}");
        if (underWay is { } started && started != final)
            return ExitCodes.Refuse($"{deployDir}: a deploy run with final: {SpecNames.NameOf(SpecNames.FinalModels, started)} is under way; "
                                    + $"resume it with nachos deploy {runDirArgument} --final {SpecNames.NameOf(SpecNames.FinalModels, started)}");

        var text = StudyDeployment.WithDeploy(finished.SpecText, final);
        var inputs = StudyInputs.Load(finished.SpecSource, text);
        if (inputs is null) return ExitCodes.BadInput;
        // The outer folds are the finished study's: the data must still give its plan.
        var stored = SplitPlan.Read(RunLayout.SplitsPath(runDir));
        if ((inputs.Plan with { Deploy = null }).Hash != stored.Hash)
            return ExitCodes.Refuse($"{runDir}: the data no longer gives the study's split plan (hash {stored.Hash[..12]} vs {(inputs.Plan with { Deploy = null }).Hash[..12]}); the dataset changed since the study ran");
        var origin = new DeployOrigin(runDir, finished.Report.Folds);
        try
        {
            return await RunCommand.RunStudy(inputs, text, finished.SpecSource, deployDir, devices, origin, interrupt.Token);
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            Console.Error.WriteLine("stopped before the deploy run started; nothing ran");
            return ExitCodes.Interrupted;
        }
    }

    /// <summary>The final model kind of a deploy run already started in <paramref name="deployDir"/>, or null.</summary>
    private static FinalModelKind? UnderWay(string deployDir)
    {
        try
        {
            return RunDirectoryCatalog.LoadSpec(deployDir)?.Deploy?.Final;
        }
        catch (Exception e) when (e is SpecException or IOException)
        {
            return null;
        }
    }
}
