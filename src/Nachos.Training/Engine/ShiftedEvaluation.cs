using Nachos.Shared.Robustness;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using Nachos.Training.Data;
using static TorchSharp.torch;

namespace Nachos.Training.Engine;

/// <summary>
/// A finished refit's model scored on its outer test fold, unshifted or under a shift, as the refit scored it: the same
/// weights, normalisation statistics, batch size and task head.
/// </summary>
public sealed class ShiftedEvaluation : IDisposable
{
    private readonly StudySpec _spec;
    private readonly LoadedDataset _data;
    private readonly TrainingTask _refit;
    private readonly TrainingSpec _training;
    private readonly Normalization _norm;
    private readonly nn.Module<Tensor, Tensor> _model;

    /// <param name="data">Holds the refit's test images (and its training images when the checkpoint kept no normalisation statistics).</param>
    public ShiftedEvaluation(StudySpec spec, LoadedDataset data, TrainingTask refit)
    {
        (_spec, _data, _refit) = (spec, data, refit);
        var modelFile = RunLayout.ModelPath(refit.Directory);
        if (!File.Exists(modelFile)) throw new FileNotFoundException($"{modelFile}: missing; task {refit.TaskId} has no final model", modelFile);
        var (modelSpec, training) = refit.Hyperparameters.ApplyTo(spec.Model, spec.Training);
        _training = training;
        _norm = TaskModels.TrainingNormalization(refit.Directory, () => Normalization.FromTraining(data, refit.Train));
        using var head = TaskHeads.Create(spec, data, training, refit.TaskId, refit.Directory, refit.Train);
        _model = head.CreateModel(modelSpec, null);
        _model.load(modelFile);
        _model.eval();
    }

    /// <summary>The test fold scored unshifted (<paramref name="kind"/> null) or under <paramref name="kind"/> at <paramref name="severity"/>.</summary>
    public ScoredSet Score(ShiftKind? kind, int severity)
    {
        var data = kind is { } k ? DistributionShift.Of(_data, _refit.Test, k, severity) : _data;
        return Score(data);
    }

    /// <summary>The test fold scored at a cell of the red × blue channel grid.</summary>
    public ScoredSet Score(ChannelGridCell cell) => Score(DistributionShift.Of(_data, _refit.Test, cell));

    private ScoredSet Score(LoadedDataset data)
    {
        using var head = TaskHeads.Create(_spec, data, _training, _refit.TaskId, _refit.Directory, _refit.Train);
        return head.Score(_model, _refit.Test, "test", _norm, _training.BatchSize, CPU, final: false);
    }

    public void Dispose() => _model.Dispose();
}
