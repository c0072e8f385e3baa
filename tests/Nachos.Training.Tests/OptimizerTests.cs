using Nachos.Shared.Tasks;
using Nachos.Shared.Study;
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

        var losses = File.ReadAllLines(Path.Combine(dir.Path, RunLayout.History)).Skip(1)
            .Select(l => double.Parse(l.Split(',')[2], System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(4, result.EpochsRun);
        Assert.All(losses, l => Assert.True(double.IsFinite(l)));
        Assert.True(losses[^1] < losses[0], $"{optimizer}: training loss went {string.Join(" → ", losses)}");
        Assert.NotNull(result.ValidationLoss);
    }

    [Fact]
    public void A_diverging_training_stops_at_the_first_non_finite_loss_or_validation_output_naming_where()
    {
        using var dir = new TempDir();
        var split = study.Plan.Outer[0].Inner[0];
        // The largest learning rate the spec allows with heavy weight decay: each step scales the weights by about −9, and momentum adds to it.
        var hp = Hyperparameters.Empty.With("optimizer", "sgd").With("learning_rate", 10.0).With("weight_decay", 1.0);
        var e = Assert.ThrowsAny<TaskFailedException>(() =>
            new Trainer(study.Spec, study.Data).Run(new TrainingTask("t", split.Train, split.Validation, [], hp, 20, 7, dir.Path)));
        Assert.Equal(FailureKind.Diverged, e.Kind);
        // The training loss can still be finite when the weights no longer are: then the validation outputs are NaN, or
        // saturated so that the validation loss is infinite (before, the first was scored as a lowest-ranked negative and
        // the second failed writing the checkpoint).
        Assert.Matches(@"^t: ((validation )?loss is (NaN|∞|-∞|Infinity|-Infinity) at epoch \d+(, batch \d+)?|\d+ of \d+ outputs on the validation set are NaN or infinite)$", e.Message);
        Assert.False(File.Exists(Path.Combine(dir.Path, RunLayout.Metrics)), "a diverged task writes no result");
    }
}
