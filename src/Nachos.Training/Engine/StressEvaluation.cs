using Nachos.Shared.Robustness;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using Nachos.Training.Data;

namespace Nachos.Training.Engine;

/// <summary>
/// One outer fold's stress test (docs/robustness.md): its refit's model on its outer test fold, unshifted and under each shift
/// and severity (and each cell of the channel grid when asked). The one scoring of a stress test: the queued stress task's (<c>nachos task</c>) and <c>nachos stress</c>'s.
/// </summary>
public static class StressEvaluation
{
    /// <summary>The evaluations of one fold: the baseline and each condition.</summary>
    public static int Evaluations(StressSelection selection) =>
        1 + selection.Transforms.Count * selection.Severities.Count + (selection.ChannelGrid ? ChannelGrid.Evaluated.Count : 0);

    /// <summary>The images a fold's stress test reads: the refit's test fold, and its training images for the normalisation statistics of a checkpoint that kept none.</summary>
    public static LoadedDataset Data(StudySpec spec, LoadedDataset? npz, TrainingTask refit, string runDir) =>
        npz ?? DatasetLoader.Load(spec, refit.Train.Concat(refit.Test), RunLayout.ImageCacheDirectory(runDir));

    /// <param name="done">Called after each evaluation.</param>
    public static StressFold Score(StudySpec spec, LoadedDataset data, TrainingTask refit, int outer, StressSelection selection, Action done,
        CancellationToken cancel = default)
    {
        using var evaluation = new ShiftedEvaluation(spec, data, refit);
        var scores = new List<StressScore>();
        void Add(string name, int severity, ChannelGridCell? cell, Func<ScoredSet> score)
        {
            cancel.ThrowIfCancellationRequested();
            var set = score();
            scores.Add(spec.Task == TaskKind.Segmentation
                ? new StressScore(name, severity, null, set.Metrics, cell)
                : new StressScore(name, severity, set.Rows.Select(r => new Prediction(r.SampleId, r.Labels, r.Probabilities)).ToList(), null, cell));
            done();
        }
        Add(ShiftCondition.None, 0, null, () => evaluation.Score(null, 0));
        foreach (var kind in selection.Transforms)
            foreach (var severity in selection.Severities)
                Add(Shifts.NameOf(kind), severity, null, () => evaluation.Score(kind, severity));
        if (selection.ChannelGrid)
            foreach (var cell in ChannelGrid.Evaluated)
                Add(ChannelGrid.Name, 0, cell, () => evaluation.Score(cell));
        return new StressFold(StressFold.FormatVersion, outer, scores);
    }
}
