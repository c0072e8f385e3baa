using System.CommandLine;
using System.Runtime.InteropServices;
using Nachos.Actors.Entities;
using Nachos.Host.Cli;
using Nachos.Host.Running;
using Nachos.Shared.Bundle;
using Nachos.Shared.Data;
using Nachos.Shared.Metrics;
using Nachos.Shared.Proxy;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using Nachos.Shared.TaskProcess;
using Nachos.Shared.Tasks;
using Nachos.Training.Data;
using Nachos.Training.Engine;

namespace Nachos.Host.Commands;

/// <summary>
/// <c>nachos bundle RUN_DIR --task ADDRESS | --fold K | --final | --fold-ensemble --out DIR [--archive FILE]</c>: one folder
/// (and optionally a zip of it) holding a finished task's weights, bundle.json and model card, or a fold ensemble's
/// members' bundles (docs/bundle.md).
/// </summary>
public static class BundleCommand
{
    public static Command Create()
    {
        var runDir = new Argument<string>("run-dir") { Description = "the run directory of a finished study" };
        var task = new Option<string?>("--task") { Description = "the task to bundle, by its id (study/o0/refit) or folder (o0/refit)" };
        var fold = new Option<int?>("--fold") { Description = "bundle outer fold K's refit (the same as --task study/oK/refit)" };
        var final = new Option<bool>("--final") { Description = "bundle the final model the spec's deploy: final names (all-data and both: the model trained on all data; fold-ensemble: the fold ensemble)" };
        var ensemble = new Option<bool>("--fold-ensemble") { Description = "bundle the fold ensemble: every outer fold's refit, probabilities averaged" };
        var output = new Option<string>("--out") { Description = "the bundle folder to create (must not exist or be empty)", Required = true };
        var archive = new Option<string?>("--archive") { Description = "also write a single-file zip archive of the bundle here" };
        var command = new Command("bundle", "make a model bundle (weights, bundle.json, model card) from a finished task of a study")
            { runDir, task, fold, final, ensemble, output, archive };
        command.SetAction(r => Run(r.GetValue(runDir)!, r.GetValue(task), r.GetValue(fold), r.GetValue(final), r.GetValue(ensemble), r.GetValue(output)!, r.GetValue(archive)));
        return command;
    }

    private static int Run(string runDir, string? taskText, int? fold, bool final, bool ensemble, string outDir, string? archive)
    {
        if ((taskText is null ? 0 : 1) + (fold is null ? 0 : 1) + (final ? 1 : 0) + (ensemble ? 1 : 0) != 1)
            return ExitCodes.Refuse("give exactly one of --task ADDRESS, --fold K, --final and --fold-ensemble");
        if (!Directory.Exists(runDir)) return ExitCodes.Refuse($"{runDir}: no such run directory");
        var outFull = Path.GetFullPath(outDir);
        if (File.Exists(outFull) || (Directory.Exists(outFull) && Directory.EnumerateFileSystemEntries(outFull).Any()))
            return ExitCodes.Refuse($"--out {outDir}: already exists and is not an empty folder; choose another or remove it");
        try
        {
            var study = Load(runDir);
            // A study deployed after it finished (nachos deploy) has its final model in its deploy folder.
            if (final && study.Spec.Deploy is null && StudyDeployment.FinalModelDirectory(runDir, study.Spec) is { } deployed)
                study = Load(deployed);
            var asEnsemble = ensemble || (final && study.Spec.Deploy is { Final: FinalModelKind.FoldEnsemble });
            var members = asEnsemble ? study.Plan.Outer.Select(f => Describe(study, TaskAddress.Refit(study.Spec.Name, f.Index))).ToList() : null;
            var single = asEnsemble ? default : Describe(study, Address(study, taskText, fold, final));
            // Written beside --out, then renamed into place whole: a failure leaves no half bundle at --out.
            var staging = $"{outFull}.partial-{Environment.ProcessId}";
            try
            {
                if (Directory.Exists(staging)) Directory.Delete(staging, true);
                if (members is not null)
                    BundleFiles.WriteEnsemble(staging, FoldEnsembleManifest.Of(members.Select(m => m.Manifest).ToList(), Path.GetFullPath(runDir),
                        study.Plan.Outer.SelectMany(f => f.Train).Distinct().Count(), Hardware("unknown"), DateTimeOffset.UtcNow), members);
                else BundleFiles.Write(staging, single.Manifest, single.WeightsSource);
                if (Directory.Exists(outFull)) Directory.Delete(outFull);
                Directory.Move(staging, outFull);
            }
            finally
            {
                if (Directory.Exists(staging)) Directory.Delete(staging, true);
            }
            Console.WriteLine($"wrote {outFull}");
            if (archive is not null)
            {
                BundleFiles.WriteArchive(outFull, archive);
                Console.WriteLine($"wrote {Path.GetFullPath(archive)}");
            }
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is BundleException or DataException or SpecException or InvalidDataException or ChildFileException or FormatException)
        {
            return ExitCodes.Refuse(e.Message);
        }
    }

    /// <summary>A finished study's run directory as bundling reads it: its spec, report and split plan (and, for a deploy run, its origin).</summary>
    private sealed record FinishedStudy(string RunDir, StudySpec Spec, StudyReport Report, SplitPlan Plan, DeployOrigin? Origin)
    {
        public string TaskDirectory(TaskAddress task) => Origin?.TaskDirectory(Plan, task) ?? RunLayout.TaskDirectory(RunDir, task);
    }

    private static FinishedStudy Load(string runDir)
    {
        var spec = RunDirectoryCatalog.LoadSpec(runDir) ?? throw new BundleException($"{RunLayout.SpecPath(runDir)}: missing (not a run directory?)");
        var reportPath = RunLayout.ReportPath(runDir);
        if (!File.Exists(reportPath))
            throw new BundleException($"{reportPath}: missing; a bundle states the study's NACHOS estimate, so bundle a finished study");
        return new FinishedStudy(runDir, spec, StudyReport.Read(reportPath), SplitPlan.Read(RunLayout.SplitsPath(runDir)), StudyDeployment.OriginOf(runDir));
    }

    private static BundleHardware Hardware(string trainedOn) =>
        new(trainedOn, Environment.MachineName, RuntimeInformation.OSDescription, Environment.ProcessorCount);

    /// <summary>bundle.json of one finished task of the study, and the weights file it describes.</summary>
    private static (BundleManifest Manifest, string WeightsSource) Describe(FinishedStudy study, TaskAddress task)
    {
        var (runDir, spec, report, plan, _) = study;
        var taskDir = study.TaskDirectory(task);
        var weights = RunLayout.ModelPath(taskDir);
        if (!File.Exists(weights)) throw new BundleException($"{weights}: missing; task {task} has no final model (not finished, or not a task of this study)");
        var taskFile = RunLayout.TaskFilePath(taskDir);
        if (!File.Exists(taskFile)) throw new BundleException($"{taskFile}: missing; the task's hyperparameters and seed are unknown");
        var queued = ChildTaskFile.Read(taskFile);

        var dataManifest = RunDirectoryCatalog.LoadManifest(spec);
        var training = new StudyContext(spec, plan, dataManifest, runDir).TrainingTask(queued);
        var (modelSpec, trainingSpec) = TaskModel.Of(spec, queued.Hyperparameters, queued.TaskId);
        if (modelSpec.Shallower != 0)
            throw new BundleException($"task {task} trained the search's proxy network (search.proxy.network), which a bundle cannot describe; bundle the fold's refit");
        var norm = TaskModels.TrainingNormalization(taskDir, () =>
            Normalization.FromTraining(DatasetLoader.Load(spec, training.Train, RunLayout.ImageCacheDirectory(runDir)), training.Train));

        var segmentation = spec.Task == TaskKind.Segmentation;
        var classes = dataManifest.Classes;
        var outputs = segmentation ? SegmentationHead.OutputChannels(classes.Count, trainingSpec.Loss) : classes.Count;
        var sigmoid = segmentation ? outputs == 1 : spec.Task == TaskKind.Multilabel;
        var resultFile = RunLayout.ResultPath(taskDir);
        var device = File.Exists(resultFile) ? ChildResultFile.Read(resultFile).Device : "unknown";
        var software = RunLayout.SoftwarePath(runDir) is var sw && File.Exists(sw) ? File.ReadAllText(sw).Trim() : "unknown";
        var contentKey = spec.Dataset.Format == DatasetFormat.Npz
            ? DatasetContentKey.OfNpz(spec.Dataset.Path, spec.Dataset.NpzParts, spec.Image)
            : DatasetContentKey.Of(dataManifest, spec.Image);

        return (new BundleManifest(
            BundleJson.FormatVersion,
            SpecNames.NameOf(SpecNames.Tasks, spec.Task),
            new BundleSource(spec.Name, task.ToString(), task.Outer, Path.GetFullPath(runDir)),
            new BundleNetwork(SpecNames.NameOf(SpecNames.Architectures, modelSpec.Architecture), modelSpec.Width, modelSpec.Depth, modelSpec.Residual,
                outputs, sigmoid ? BundleNetwork.Sigmoid : BundleNetwork.Softmax, queued.Hyperparameters.Values),
            new BundlePreprocessing(spec.Image.Height, spec.Image.Width, spec.Image.Channels, spec.Image.MaxPixels, norm.Mean, norm.Std,
                segmentation ? SegmentationHead.PredictBatchSize(trainingSpec.BatchSize) : Evaluator.BatchSize(trainingSpec.BatchSize)),
            classes,
            new BundleDecision(report.OperatingPoint?.ThresholdOf(task.Outer) ?? DecisionRule.DefaultThreshold,
                segmentation ? SegmentationHead.Rule(outputs) : DecisionRule.Describe(spec.Task, spec.Evaluation.Threshold)),
            new BundleManifestColumns(spec.Dataset.ImageColumn, spec.Dataset.LabelColumns, spec.Dataset.MaskColumn),
            File.ReadAllText(RunLayout.SpecPath(runDir)),
            plan.Hash,
            new BundleDataset(SpecNames.NameOf(DatasetFormats, spec.Dataset.Format), Convert.ToHexStringLower(contentKey), dataManifest.Samples.Count, training.Train.Count),
            ExpectedPerformance.From(report),
            software,
            new BundleSeeds(spec.Seed, queued.Seed),
            Hardware(device),
            DateTimeOffset.UtcNow,
            new BundleWeights(BundleLayout.Weights, BundleFiles.Sha256(File.ReadAllBytes(weights)), new FileInfo(weights).Length)), weights);
    }

    private static readonly IReadOnlyDictionary<string, DatasetFormat> DatasetFormats = new Dictionary<string, DatasetFormat>
    {
        ["csv"] = DatasetFormat.Csv, ["npz"] = DatasetFormat.Npz, ["synthetic"] = DatasetFormat.Synthetic,
    };

    /// <summary>The task: an id of this study, a folder below the run directory, outer fold K's refit, or the model trained on all data.</summary>
    private static TaskAddress Address(FinishedStudy finished, string? text, int? fold, bool final)
    {
        var study = finished.Spec.Name;
        if (final)
            return finished.Plan.Deploy is not null ? TaskAddress.Refit(study, finished.Plan.DeployIndex)
                : throw new BundleException($"--final: study {study} has no final model (its spec has no deploy: section and nachos deploy has not run on it; see docs/spec.md)");
        if (fold is { } k)
            return k >= 0 ? TaskAddress.Refit(study, k) : throw new BundleException($"--fold {k}: an outer fold index is 0 or more");
        var id = text!.Trim('/');
        if (!TaskAddress.TryParse(id, out var address) && !TaskAddress.TryParse($"{study}/{id}", out address))
            throw new BundleException($"--task {text}: not a task id (study/o{{k}}/refit, study/o{{k}}/t{{n}}/s{{j}}) nor a task folder (o{{k}}/refit)");
        if (address.Study != study) throw new BundleException($"--task {text}: names study '{address.Study}', but the run directory holds study '{study}'");
        return address;
    }
}
