using Nachos.Shared.Predictions;
using Nachos.Shared.Proxy;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using Nachos.Training.Engine;
using static TorchSharp.torch;

namespace Nachos.Training.Tests;

public sealed class FinalScoreTests(SmallStudy study) : IClassFixture<SmallStudy>
{
    /// <summary>
    /// The trainer keeps the best epoch's validation score instead of scoring the restored best weights again: the result and
    /// predictions.csv must be exactly what scoring the final model.pt read back gives, also when the last epoch was not the best.
    /// </summary>
    [Fact]
    public void The_final_validation_score_is_that_of_the_final_model_read_back()
    {
        using var dir = new TempDir();
        var split = study.Plan.Outer[0].Inner[0];
        // The first of a few seeds whose best epoch is not its last, so that a score kept from the wrong epoch would show.
        var spec = study.Spec with { Training = study.Spec.Training with { LearningRate = 0.1 } };
        var (task, result) = Enumerable.Range(1, 8)
            .Select(seed => new TrainingTask("small/o0/t0/s0", split.Train, split.Validation, [], Hyperparameters.Empty, 6, seed, dir.File($"t{seed}")))
            .Select(t => (Task: t, Result: new Trainer(spec, study.Data).Run(t)))
            .First(r => r.Result.BestEpoch < r.Result.EpochsRun);

        var (modelSpec, training) = TaskModel.Of(spec, task.Hyperparameters, task.TaskId);
        using var head = TaskHeads.Create(spec, study.Data, training, task.TaskId, task.Directory, task.Train);
        using var model = head.CreateModel(modelSpec, null);
        model.load(RunLayout.ModelPath(task.Directory));
        var norm = TaskModels.TrainingNormalization(task.Directory, () => throw new InvalidOperationException("no checkpoint"));
        var again = head.Score(model, task.Validation, "validation", norm, training.BatchSize, CPU, final: true);

        Assert.Equal(again.Loss, result.ValidationLoss);
        Assert.Equal(again.Metrics.OrderBy(m => m.Key), result.ValidationMetrics.OrderBy(m => m.Key));
        var rescored = dir.File("rescored.csv");
        PredictionsFile.Write(rescored, spec.Task, study.Data.Manifest.Classes, again.Rows, head.ExtraColumns);
        Assert.Equal(File.ReadAllBytes(rescored), File.ReadAllBytes(RunLayout.PredictionsPath(task.Directory)));
    }
}
