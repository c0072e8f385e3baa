using Nachos.Shared.Tasks;
using Nachos.Training.Engine;

namespace Nachos.Training.Tests;

public sealed class OptimizerTests(SmallStudy study) : IClassFixture<SmallStudy>
{
    [Theory]
    [InlineData("sgd", "false", "step")]
    [InlineData("sgd", "true", "cosine")]
    [InlineData("adam", "false", "time-decay")]
    [InlineData("adamw", "false", "none")]
    public void Every_optimizer_and_schedule_trains_and_lowers_the_training_loss(string optimizer, string nesterov, string schedule)
    {
        using var dir = new TempDir();
        var split = study.Plan.Outer[0].Inner[0];
        var hp = Hyperparameters.Empty.With("optimizer", optimizer).With("nesterov", nesterov).With("lr_schedule", schedule)
            .With("learning_rate", optimizer == "sgd" ? 0.02 : 0.003).With("weight_decay", 0.0001);
        var result = new Trainer(study.Spec, study.Data).Run(new TrainingTask("t", split.Train, split.Validation, [], hp, 4, 7, dir.Path));

        var losses = File.ReadAllLines(Path.Combine(dir.Path, RunWriter.HistoryFile)).Skip(1)
            .Select(l => double.Parse(l.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(4, result.EpochsRun);
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        Assert.True(losses[^1] < losses[0], $"{optimizer}: training loss went {string.Join(" → ", losses)}");
        Assert.NotNull(result.ValidationLoss);
    }
}
