using Nachos.Shared.Spec;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.Tests;

public sealed class HyperparametersTests
{
    private static readonly ModelSpec Model = new(Architecture.SimpleCnn, 1.0, null);

    private static readonly TrainingSpec Training = new(
        MaxEpochs: 10, BatchSize: 32, Loss: LossKind.CrossEntropy, ClassWeights: false, FocalGamma: 2.0,
        Optimizer: OptimizerKind.Adam, LearningRate: 1e-3, Momentum: 0.9, Nesterov: false, WeightDecay: 0,
        Schedule: new LrScheduleSpec(LrScheduleKind.None, 7, 0.3, 0.02),
        EarlyStopping: new EarlyStoppingSpec(true, "val_loss", 5, 0),
        CheckpointEvery: 1, Augmentation: AugmentationSpec.None, Threads: 0);

    public static TheoryData<string, string> TrainingOverrides => new()
    {
        { "learning_rate", "0.05" },
        { "momentum", "0.5" },
        { "weight_decay", "0.0001" },
        { "batch_size", "64" },
        { "focal_gamma", "1.5" },
        { "optimizer", "sgd" },
        { "nesterov", "true" },
        { "loss", "focal" },
        { "lr_schedule", "cosine" },
        { "augmentation_policy", "strong" },
    };

    private static TrainingSpec Expected(string name, string value) => name switch
    {
        "learning_rate" => Training with { LearningRate = 0.05 },
        "momentum" => Training with { Momentum = 0.5 },
        "weight_decay" => Training with { WeightDecay = 0.0001 },
        "batch_size" => Training with { BatchSize = 64 },
        "focal_gamma" => Training with { FocalGamma = 1.5 },
        "optimizer" => Training with { Optimizer = OptimizerKind.Sgd },
        "nesterov" => Training with { Nesterov = true },
        "loss" => Training with { Loss = LossKind.Focal },
        "lr_schedule" => Training with { Schedule = new LrScheduleSpec(LrScheduleKind.Cosine, 7, 0.3, 0.02) },
        "augmentation_policy" => Training with { Augmentation = AugmentationSpec.None with { Policy = AugmentationPolicy.Strong } },
        _ => throw new ArgumentException($"{name}={value}"),
    };

    [Theory]
    [MemberData(nameof(TrainingOverrides))]
    public void ApplyTo_overrides_exactly_the_named_training_field(string name, string value)
    {
        var (model, training) = Hyperparameters.Empty.With(name, value).ApplyTo(Model, Training);
        Assert.Equal(Model, model);
        Assert.Equal(Expected(name, value), training);
        Assert.NotEqual(Training, training);
    }

    [Fact]
    public void ApplyTo_overrides_model_fields()
    {
        var (model, training) = Hyperparameters.Empty.With("width", 0.5).With("architecture", "resnet18").ApplyTo(Model, Training);
        Assert.Equal(new ModelSpec(Architecture.ResNet18, 0.5, null), model);
        Assert.Equal(Training, training);
    }

    [Fact]
    public void Every_tunable_name_is_applied()
    {
        foreach (var name in Hyperparameters.Tunable)
        {
            var value = Hyperparameters.AllowedValues(name)?.First() ?? "2";
            var ex = Record.Exception(() => Hyperparameters.Empty.With(name, value).ApplyTo(Model, Training));
            Assert.Null(ex);
        }
        Assert.Null(Hyperparameters.AllowedValues("learning_rate"));
        Assert.Equal(["false", "true"], Hyperparameters.AllowedValues("nesterov")!.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Empty_changes_nothing_and_several_values_apply_together()
    {
        Assert.Equal((Model, Training), Hyperparameters.Empty.ApplyTo(Model, Training));
        var h = Hyperparameters.Empty.With("learning_rate", 0.02).With("optimizer", "sgd").With("nesterov", "true").With("width", 2.0);
        var (model, training) = h.ApplyTo(Model, Training);
        Assert.Equal(Training with { LearningRate = 0.02, Optimizer = OptimizerKind.Sgd, Nesterov = true }, training);
        Assert.Equal(Model with { Width = 2.0 }, model);
    }

    [Fact]
    public void Nesterov_false_turns_it_off()
    {
        var (_, training) = Hyperparameters.Empty.With("nesterov", "false").ApplyTo(Model, Training with { Nesterov = true });
        Assert.False(training.Nesterov);
    }

    [Fact]
    public void Batch_size_is_rounded_to_an_integer()
    {
        var (_, training) = Hyperparameters.Empty.With("batch_size", 47.6).ApplyTo(Model, Training);
        Assert.Equal(48, training.BatchSize);
    }

    [Fact]
    public void Unknown_name_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => Hyperparameters.Empty.With("max_epochs", "3").ApplyTo(Model, Training));
        Assert.Contains("max_epochs", ex.Message);
    }

    [Fact]
    public void Numbers_round_trip_in_invariant_culture_and_records_are_immutable()
    {
        var h = Hyperparameters.Empty.With("learning_rate", 0.1 + 0.2);
        Assert.Equal(0.1 + 0.2, double.Parse(h.Values["learning_rate"], System.Globalization.CultureInfo.InvariantCulture));
        Assert.DoesNotContain(",", h.Values["learning_rate"]);
        Assert.Empty(Hyperparameters.Empty.Values);
        var (_, training) = h.ApplyTo(Model, Training);
        Assert.Equal(0.1 + 0.2, training.LearningRate);
    }

    [Fact]
    public void ToString_lists_values_sorted_by_name()
    {
        var h = Hyperparameters.Empty.With("optimizer", "sgd").With("learning_rate", "0.5");
        Assert.Equal("learning_rate=0.5, optimizer=sgd", h.ToString());
    }
}
