using Nachos.Shared.Proxy;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using Nachos.Training.Data;
using static TorchSharp.torch;

namespace Nachos.Training.Engine;

/// <summary>A finished task's model read back from its folder, to predict images it was not evaluated on.</summary>
public static class TaskModels
{
    /// <summary>
    /// The foreground probability maps (1 − P(background)) of a segmentation task's final model on <paramref name="ids"/>,
    /// normalised as it was trained: with the statistics its checkpoint kept, else those of <paramref name="train"/>.
    /// </summary>
    /// <param name="data">The study's dataset, holding <paramref name="train"/>.</param>
    /// <param name="images">The dataset holding <paramref name="ids"/> when it is not <paramref name="data"/> (an external set).</param>
    public static IReadOnlyDictionary<string, double[]> ForegroundMaps(StudySpec spec, LoadedDataset data, TaskAddress task, string taskDirectory,
        Hyperparameters config, IReadOnlyList<string> train, IReadOnlyList<string> ids, LoadedDataset? images = null)
    {
        var modelFile = RunLayout.ModelPath(taskDirectory);
        if (!File.Exists(modelFile)) throw new FileNotFoundException($"{modelFile}: task {task} has no final model", modelFile);
        var (modelSpec, training) = TaskModel.Of(spec, config, task);
        using var head = new SegmentationHead(spec, images ?? data, training, task.ToString(), taskDirectory);
        using var model = head.CreateModel(modelSpec, null);
        model.load(modelFile);
        var norm = TrainingNormalization(taskDirectory, () => Normalization.FromTraining(data, train));
        return head.ForegroundMaps(model, ids, norm, CPU);
    }

    /// <summary>The normalisation a finished task trained with: the statistics its checkpoint kept, else <paramref name="recompute"/>d from its training set.</summary>
    public static Normalization TrainingNormalization(string taskDirectory, Func<Normalization> recompute)
    {
        var checkpoint = new Checkpoint(taskDirectory);
        return checkpoint.Exists && checkpoint.Load() is { Mean.Length: > 0 } state ? new Normalization(state.Mean, state.Std) : recompute();
    }
}
