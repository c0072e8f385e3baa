using Nachos.Shared.Proxy;
using Nachos.Shared.Spec;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;
using Nachos.Training.Engine;
using Nachos.Training.Models;

namespace Nachos.Training.Tests;

/// <summary><c>search.proxy.network</c>: inner tasks train the same architecture narrower and shallower; the refit the full model.</summary>
public sealed class ProxyNetworkTests(SmallStudy study) : IClassFixture<SmallStudy>
{
    private static long Parameters(TorchSharp.torch.nn.Module model) => model.parameters().Sum(p => p.numel());

    private StudySpec WithProxy(ProxyNetworkSpec network, ModelSpec? model = null) =>
        study.Spec with { Model = model ?? study.Spec.Model, Search = study.Spec.Search with { Proxy = new ProxySpec(null, network) } };

    [Theory]
    [InlineData(Architecture.SimpleCnn, 0.5, 0)]
    [InlineData(Architecture.SimpleCnn, 1, -2)]
    [InlineData(Architecture.ResNet18, 0.5, -1)]
    [InlineData(Architecture.ResNet34, 1, -2)]
    [InlineData(Architecture.ResNet50, 0.25, 0)]
    public void An_inner_tasks_classifier_has_fewer_parameters_than_the_refits_which_is_the_full_model(Architecture architecture, double width, int depth)
    {
        var spec = WithProxy(new ProxyNetworkSpec(width, depth), new ModelSpec(architecture, 0.5, null));
        var image = new ImageSpec(32, 32, 1);
        long Count(string taskId)
        {
            using var model = ModelFactory.Create(TaskModel.Of(spec, Hyperparameters.Empty, taskId).Model, image, 2, 1);
            return Parameters(model);
        }
        using var full = ModelFactory.Create(spec.Model, image, 2, 1);
        Assert.Equal(Parameters(full), Count("small/o0/refit"));
        Assert.True(Count("small/o0/t1/s0") < Parameters(full), $"{architecture}: inner {Count("small/o0/t1/s0")} vs refit {Parameters(full)}");
    }

    [Fact]
    public void An_inner_tasks_unet_has_fewer_levels_and_channels()
    {
        var spec = WithProxy(new ProxyNetworkSpec(0.5, -1), new ModelSpec(Architecture.UNet, 0.5, null, 3));
        var inner = TaskModel.Of(spec, Hyperparameters.Empty, "small/o0/t0/s0").Model;
        Assert.Equal((2, 0.25), (inner.Depth, inner.Width));
        using var proxy = ModelFactory.CreateUNet(new ImageSpec(32, 32, 1), 1, inner.Depth, inner.Width, false, 1);
        using var full = ModelFactory.CreateUNet(new ImageSpec(32, 32, 1), 1, 3, 0.5, false, 1);
        Assert.True(Parameters(proxy) * 4 < Parameters(full), $"proxy {Parameters(proxy)} vs full {Parameters(full)}");
    }

    [Fact]
    public void The_trainer_trains_the_proxy_for_an_inner_task_and_the_full_model_for_the_refit()
    {
        var spec = WithProxy(new ProxyNetworkSpec(0.5, -2));
        using var dir = new TempDir();
        var fold = study.Plan.Outer[0];
        var inner = new TrainingTask("small/o0/t0/s0", fold.Inner[0].Train, fold.Inner[0].Validation, [], Hyperparameters.Empty, 1, 7,
            Path.Combine(dir.Path, "inner"));
        var refit = new TrainingTask("small/o0/refit", fold.Train, [], fold.Test, Hyperparameters.Empty, 1, 7, Path.Combine(dir.Path, "refit"));
        new Trainer(spec, study.Data).Run(inner);
        new Trainer(spec, study.Data).Run(refit);

        using var proxyModel = ModelFactory.Create(TaskModel.Of(spec, Hyperparameters.Empty, inner.TaskId).Model, spec.Image, 2, 0);
        using var fullModel = ModelFactory.Create(spec.Model, spec.Image, 2, 0);
        proxyModel.load(RunLayout.ModelPath(inner.Directory), strict: true);
        fullModel.load(RunLayout.ModelPath(refit.Directory), strict: true);
        Assert.True(Parameters(proxyModel) < Parameters(fullModel));
        using var wrong = ModelFactory.Create(spec.Model, spec.Image, 2, 0);
        Assert.ThrowsAny<Exception>(() => wrong.load(RunLayout.ModelPath(inner.Directory), strict: true));
    }
}
