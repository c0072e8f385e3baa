using Nachos.Shared.Spec;
using Nachos.Training.Engine;
using Nachos.Training.Models;
using static TorchSharp.torch;

namespace Nachos.Training.Tests;

public sealed class ModelAndLossTests
{
    [Theory]
    [InlineData(Architecture.SimpleCnn, 32)]
    [InlineData(Architecture.ResNet18, 32)]
    [InlineData(Architecture.ResNet34, 32)]
    [InlineData(Architecture.ResNet50, 32)]
    [InlineData(Architecture.ResNet18, 112)]
    public void Every_architecture_maps_a_batch_to_one_logit_per_class(Architecture arch, int size)
    {
        using var model = ModelFactory.Create(new ModelSpec(arch, 0.25, null), new ImageSpec(size, size, 3), 5, 1);
        model.eval();
        using var x = randn(2, 3, size, size);
        using var y = model.forward(x);
        Assert.Equal([2L, 5L], y.shape);
    }

    [Fact]
    public void Width_multiplier_scales_the_parameter_count_and_a_seed_fixes_the_weights()
    {
        long Count(double w) { using var m = ModelFactory.Create(new ModelSpec(Architecture.ResNet18, w, null), new ImageSpec(32, 32, 1), 2, 1); return m.parameters().Sum(p => p.numel()); }
        Assert.True(Count(0.25) * 8 < Count(1.0), "a quarter-width ResNet-18 should have far fewer parameters");
        float[] First(int seed) { using var m = ModelFactory.Create(new ModelSpec(Architecture.SimpleCnn, 1, null), new ImageSpec(32, 32, 1), 2, seed); return m.parameters().First().data<float>().ToArray(); }
        Assert.Equal(First(4), First(4));
        Assert.NotEqual(First(4), First(5));
    }

    [Fact]
    public void Initial_weights_are_loaded_from_a_file_and_a_mismatch_is_a_clear_error()
    {
        using var dir = new TempDir();
        var spec = new ModelSpec(Architecture.SimpleCnn, 0.5, null);
        using (var m = ModelFactory.Create(spec, new ImageSpec(32, 32, 1), 2, 9)) m.save(dir.File("w.pt"));
        using var loaded = ModelFactory.Create(spec with { InitialWeights = dir.File("w.pt") }, new ImageSpec(32, 32, 1), 2, 1);
        using var reference = ModelFactory.Create(spec, new ImageSpec(32, 32, 1), 2, 9);
        Assert.Equal(reference.parameters().First().data<float>().ToArray(), loaded.parameters().First().data<float>().ToArray());
        var e = Assert.Throws<InvalidDataException>(() => ModelFactory.Create(spec with { Width = 1, InitialWeights = dir.File("w.pt") }, new ImageSpec(32, 32, 1), 2, 1));
        Assert.Contains("w.pt", e.Message);
    }

    [Fact]
    public void Focal_loss_with_gamma_zero_is_cross_entropy_and_down_weights_easy_cases()
    {
        using var logits = tensor(new float[] { 2, -1, 0.5f, 0.3f, -2, 3 }, [3, 2]);
        using var ce = new Losses(TaskKind.Binary, LossKind.CrossEntropy, 0, null);
        using var focal0 = new Losses(TaskKind.Binary, LossKind.Focal, 0, null);
        using var focal2 = new Losses(TaskKind.Binary, LossKind.Focal, 2, null);
        using var y = ce.Targets([[0], [1], [1]]);
        var a = ce.Compute(logits, y).item<float>();
        Assert.Equal(a, focal0.Compute(logits, y).item<float>(), 5);
        Assert.True(focal2.Compute(logits, y).item<float>() < a);
    }

    [Fact]
    public void Class_weights_are_inverse_frequencies_and_change_the_loss()
    {
        var w = Losses.InverseFrequency(TaskKind.Binary, 2, [[0], [0], [0], [1]]);
        Assert.Equal(4 / (2 * 3.0), w[0], 5);
        Assert.Equal(4 / (2 * 1.0), w[1], 5);
        using var logits = tensor(new float[] { 1, 0, 1, 0 }, [2, 2]);
        using var plain = new Losses(TaskKind.Binary, LossKind.CrossEntropy, 0, null);
        using var weighted = new Losses(TaskKind.Binary, LossKind.CrossEntropy, 0, w);
        using var y = plain.Targets([[0], [1]]);
        Assert.NotEqual(plain.Compute(logits, y).item<float>(), weighted.Compute(logits, y).item<float>());
    }

    [Fact]
    public void Multilabel_bce_uses_independent_sigmoids()
    {
        using var loss = new Losses(TaskKind.Multilabel, LossKind.Bce, 0, null);
        using var logits = zeros(1, 3);
        using var y = loss.Targets([[1, 0, 1]]);
        Assert.Equal(Math.Log(2), loss.Compute(logits, y).item<float>(), 5);
        using var p = loss.Probabilities(logits);
        Assert.All(p.data<float>().ToArray(), v => Assert.Equal(0.5f, v, 5));
    }

    [Theory]
    [InlineData(LrScheduleKind.None, 7, 0.1)]
    [InlineData(LrScheduleKind.Step, 7, 0.1 * 0.5)]
    [InlineData(LrScheduleKind.Step, 10, 0.1 * 0.25)]
    [InlineData(LrScheduleKind.Cosine, 10, 0.05)]
    [InlineData(LrScheduleKind.TimeDecay, 4, 0.1 / 3)]
    public void Learning_rate_schedules(LrScheduleKind kind, int epoch, double expected)
    {
        var t = new TrainingSpec(20, 8, LossKind.CrossEntropy, false, 2, OptimizerKind.Sgd, 0.1, 0.9, false, 0,
            new LrScheduleSpec(kind, 5, 0.5, 0.5), new EarlyStoppingSpec(true, "val_loss", 3, 0), 1, AugmentationSpec.None, 0);
        Assert.Equal(expected, LrSchedule.At(t, epoch), 10);
    }
}
