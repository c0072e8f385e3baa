using Nachos.Actors.Entities;
using Nachos.Shared.Data;
using Nachos.Shared.Metrics;
using Nachos.Shared.Robustness;
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
/// The stress test of a finished study (docs/robustness.md): each outer fold's refit model scored on its own outer test
/// fold unshifted and under each selected shift and severity, in this process, one fold at a time; robustness.json is
/// written into the run directory.
/// </summary>
public static class StressTest
{
    /// <summary>The number of evaluations <see cref="Run"/> makes: per outer fold, the baseline and each condition.</summary>
    public static int Evaluations(StudyReport report, StressSelection selection) =>
        report.Folds.Count * (1 + selection.Transforms.Count * selection.Severities.Count + (selection.ChannelGrid ? ChannelGrid.Evaluated.Count : 0));

    /// <summary>The finished study's report, or why there is none to stress.</summary>
    /// <param name="advice">The end of the refusal: what needs a finished study.</param>
    /// <exception cref="InvalidDataException">Not a run directory of a finished, complete study.</exception>
    public static (StudySpec Spec, StudyReport Report) Finished(string runDir, string advice = "stress a finished study")
    {
        if (!Directory.Exists(runDir)) throw new InvalidDataException($"{runDir}: no such run directory");
        var spec = RunDirectoryCatalog.LoadSpec(runDir) ?? throw new InvalidDataException($"{RunLayout.SpecPath(runDir)}: missing (not a run directory?)");
        var reportPath = RunLayout.ReportPath(runDir);
        if (!File.Exists(reportPath)) throw new InvalidDataException($"{reportPath}: missing; the study has not finished ({advice})");
        var report = StudyReport.Read(reportPath);
        if (!report.Complete || report.Folds.Count == 0)
            throw new InvalidDataException($"{reportPath}: study {spec.Name} is not complete ({string.Join("; ", report.Faults().DefaultIfEmpty("no outer fold"))}); {advice}");
        return (spec, report);
    }

    /// <param name="done">Called after each evaluation.</param>
    public static RobustnessReport Run(string runDir, StudySpec spec, StudyReport report, StressSelection selection, Action done)
    {
        if (spec.Training.Threads > 0) torch.set_num_threads(spec.Training.Threads);
        var plan = SplitPlan.Read(RunLayout.SplitsPath(runDir));
        var npz = spec.Dataset.Format == DatasetFormat.Npz ? DatasetLoader.Load(spec) : null;
        var manifest = npz?.Manifest ?? DatasetLoader.ReadManifest(spec);
        var context = new StudyContext(spec, plan, manifest, runDir);
        var metrics = report.Metrics.Count > 0 ? report.Metrics.Select(m => m.Metric).ToList() : SpecNames.MetricsOf(spec.Task).ToList();
        var conditions = selection.Transforms.SelectMany(t => selection.Severities.Select(s => (Kind: t, Severity: s))).ToList();

        var baseline = new List<IReadOnlyDictionary<string, double?>>();
        var shifted = conditions.Select(_ => new List<IReadOnlyDictionary<string, double?>>()).ToList();
        var grid = (selection.ChannelGrid ? ChannelGrid.Evaluated : []).Select(c => (Cell: c, PerFold: new List<IReadOnlyDictionary<string, double?>>())).ToList();
        foreach (var fold in report.Folds)
        {
            var taskDir = RunLayout.TaskDirectory(runDir, TaskAddress.Refit(spec.Name, fold.Outer));
            var taskFile = RunLayout.TaskFilePath(taskDir);
            if (!File.Exists(taskFile)) throw new InvalidDataException($"{taskFile}: missing; outer fold {fold.Outer}'s refit cannot be rebuilt");
            var refit = context.TrainingTask(ChildTaskFile.Read(taskFile));
            var data = npz ?? DatasetLoader.Load(spec, refit.Train.Concat(refit.Test), RunLayout.ImageCacheDirectory(runDir));
            var threshold = report.OperatingPoint?.ThresholdOf(fold.Outer) ?? DecisionRule.DefaultThreshold;
            using var evaluation = new ShiftedEvaluation(spec, data, refit);
            baseline.Add(Metrics(evaluation.Score(null, 0)));
            done();
            for (var i = 0; i < conditions.Count; i++)
            {
                shifted[i].Add(Metrics(evaluation.Score(conditions[i].Kind, conditions[i].Severity)));
                done();
            }
            foreach (var (cell, perFold) in grid)
            {
                perFold.Add(Metrics(evaluation.Score(cell)));
                done();
            }

            IReadOnlyDictionary<string, double?> Metrics(ScoredSet set)
            {
                if (spec.Task == TaskKind.Segmentation) return metrics.ToDictionary(m => m, m => set.Metrics.GetValueOrDefault(m));
                var items = set.Rows.Select(r => new Prediction(r.SampleId, r.Labels, r.Probabilities)).ToList();
                var values = StudyReport.Scores(spec.Task, manifest.Classes, items, metrics, threshold);
                return metrics.Select((m, i) => (m, values[i])).ToDictionary(x => x.m, x => x.Item2);
            }
        }

        var unshifted = new RobustnessReport.Measured(ShiftCondition.None, 0, null, baseline);
        var result = RobustnessReport.Build(spec.Name, spec.Search.Metric, metrics, report.Folds.Select(f => f.Outer).ToList(), unshifted,
            conditions.Select((c, i) => new RobustnessReport.Measured(Shifts.NameOf(c.Kind), c.Severity, Shifts.Parameter(c.Kind, c.Severity), shifted[i])).ToList());
        if (selection.ChannelGrid)
            result = result with { ChannelGrid = ChannelGrid.Build(metrics, unshifted, grid.Select(g => (g.Cell, (IReadOnlyList<IReadOnlyDictionary<string, double?>>)g.PerFold)).ToList()) };
        result.Write(runDir);
        return result;
    }
}
