using Nachos.Shared.Data;
using Nachos.Shared.LearningCurves;
using Nachos.Shared.Metrics;
using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;
using Nachos.Shared.TaskProcess;
using Nachos.Shared.Tasks;
using Nachos.Training.Data;
using Nachos.Training.Engine;
using TorchSharp;

namespace Nachos.Host.Running;

/// <summary>
/// The learning curve of a finished study (docs/evaluation.md): each outer fold's chosen configuration trained, for its refit's
/// epochs and with the study's seed, on nested fractions of its outer-train set (<see cref="NestedSubsets"/>) and scored on its
/// own outer test fold; fraction 1 is the refit itself. The trainings run in this process one at a time, each in its folder
/// <c>o{k}/curve/f{fraction}</c>: a finished one (its result.json) is not run again, an interrupted one continues from its checkpoint.
/// </summary>
public static class LearningCurveRun
{
    /// <summary>The trainings <see cref="Run"/> needs: per outer fold, one per fraction below 1.</summary>
    public static int Trainings(StudyReport report, LearningCurveSpec curve) => report.Folds.Count * curve.Fractions.Count(f => f < 1);

    /// <param name="done">Called after each training (also one found finished).</param>
    public static LearningCurveReport Run(string runDir, StudySpec spec, StudyReport report, LearningCurveSpec curve, Action done, CancellationToken cancel)
    {
        if (spec.Training.Threads > 0) torch.set_num_threads(spec.Training.Threads);
        var plan = SplitPlan.Read(RunLayout.SplitsPath(runDir));
        var simulated = spec.Execution.Trainer == TrainerKind.Simulated;
        var npz = !simulated && spec.Dataset.Format == DatasetFormat.Npz ? DatasetLoader.Load(spec) : null;
        var manifest = npz?.Manifest ?? DatasetLoader.ReadManifest(spec);
        var metrics = report.Metrics.Count > 0 ? report.Metrics.Select(m => m.Metric).ToList() : SpecNames.MetricsOf(spec.Task).ToList();

        var measured = new List<IReadOnlyList<LearningCurveReport.Measured>>();
        foreach (var result in report.Folds)
        {
            var fold = plan.Fold(result.Outer);
            var config = result.Config ?? throw new InvalidDataException($"{RunLayout.ReportPath(runDir)}: outer fold {result.Outer} has no chosen configuration");
            var subsets = NestedSubsets.Select(fold.Train, manifest.ById, curve.Fractions, NestedSubsets.SeedOf(spec.Seed, result.Outer));
            var threshold = report.OperatingPoint?.ThresholdOf(result.Outer) ?? DecisionRule.DefaultThreshold;
            var points = new List<LearningCurveReport.Measured>();
            for (var i = 0; i < curve.Fractions.Count; i++)
            {
                var fraction = curve.Fractions[i];
                string dir;
                if (fraction >= 1) dir = RunLayout.TaskDirectory(runDir, TaskAddress.Refit(spec.Name, result.Outer));
                else
                {
                    dir = RunLayout.CurveDirectory(runDir, result.Outer, fraction);
                    var task = new TrainingTask($"{spec.Name}/{Path.GetRelativePath(runDir, dir).Replace('\\', '/')}", subsets[i], [], fold.Test,
                        config, Math.Max(1, result.RefitEpochs), spec.Seed, dir);
                    if (!File.Exists(RunLayout.ResultPath(dir))) Train(spec, manifest, npz, runDir, task, fraction, cancel);
                    done();
                }
                var inputs = ReportInputs.Read([new RefitArtifact(result.Outer, RunLayout.PredictionsPath(dir), fold.Test)], manifest);
                if (inputs.Problems.Count > 0) throw new InvalidDataException(inputs.Problems[0]);
                var values = StudyReport.Scores(spec.Task, manifest.Classes, inputs.Predictions[result.Outer], metrics, threshold);
                points.Add(new LearningCurveReport.Measured(fraction, subsets[i].Count, metrics.Select((m, k) => (m, values[k])).ToDictionary(x => x.m, x => x.Item2)));
            }
            measured.Add(points);
        }
        var curveReport = LearningCurveReport.Build(spec.Name, spec.Search.Metric, metrics, curve.Delta, report.Folds.Select(f => f.Outer).ToList(), measured, spec.Seed);
        curveReport.Write(runDir);
        return curveReport;
    }

    private static void Train(StudySpec spec, Manifest manifest, LoadedDataset? npz, string runDir, TrainingTask task, double fraction, CancellationToken cancel)
    {
        Directory.CreateDirectory(task.Directory);
        TrainingResult result;
        if (spec.Execution.Trainer == TrainerKind.Simulated)
        {
            // The simulated trainer's injected failures are per attempt, as in the queue.
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    result = SimulatedTrainer.Run(task, manifest, spec.Execution.Simulated, attempt, cancel, dataFraction: fraction);
                    break;
                }
                catch (SimulatedFailureException) when (attempt <= spec.Execution.MaxRetries) { }
            }
        }
        else
        {
            var data = npz ?? DatasetLoader.Load(spec, task.Train.Concat(task.Test), RunLayout.ImageCacheDirectory(runDir));
            result = new Trainer(spec, data).Run(task, cancel: cancel);
        }
        ChildResultFile.Write(RunLayout.ResultPath(task.Directory), result);
    }
}
