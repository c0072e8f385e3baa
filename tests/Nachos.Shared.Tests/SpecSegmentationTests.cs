using Nachos.Shared.Spec;
using Nachos.Shared.Tasks;
using Nachos.Shared.SpecLoading;

namespace Nachos.Shared.Tests;

/// <summary>The model, training, search and evaluation keys of a segmentation spec, and what they refuse.</summary>
public sealed class SpecSegmentationTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private const string Valid = """
        name: seg
        task: segmentation
        dataset:
          synthetic: { out: data }
          classes: [background, lesion]
        split: { outer_folds: 3, inner_folds: 2, stratify: false }
        training: { max_epochs: 3 }
        """;

    private StudySpec Load(string yaml) => SpecLoader.LoadFile(_dir.Write("spec.yaml", yaml));

    private string Error(string yaml)
    {
        var path = _dir.Write("spec.yaml", yaml);
        var ex = Assert.Throws<SpecException>(() => SpecLoader.LoadFile(path));
        return string.Join("\n", ex.Errors.Select(e => $"{e.Path}: {e.Message}"));
    }

    [Fact]
    public void Segmentation_defaults_to_a_UNet_with_BCE_plus_Dice_scored_by_Dice()
    {
        var spec = Load(Valid);
        Assert.Equal(TaskKind.Segmentation, spec.Task);
        Assert.Equal(Architecture.UNet, spec.Model.Architecture);
        Assert.Equal(ModelSpec.DefaultDepth, spec.Model.Depth);
        Assert.False(spec.Model.Residual);
        Assert.Equal(LossKind.BceDice, spec.Training.Loss);
        Assert.Equal("dice", spec.Search.Metric);
        Assert.True(spec.Search.Maximise);
        Assert.Equal(EvaluationSpec.DefaultSurfaceTolerance, spec.Evaluation.SurfaceTolerance);
        Assert.Equal((1.0, 1.0), (spec.Image.SpacingY, spec.Image.SpacingX));
    }

    [Fact]
    public void Model_loss_spacing_tolerance_and_a_minimised_distance_metric_are_read()
    {
        var spec = Load(Valid + "\n" + """
            model: { architecture: unet, depth: 3, width: 0.5, residual: true }
            image: { size: 64, spacing: [0.8, 0.5] }
            evaluation: { surface_tolerance: 1.5 }
            search: { metric: hd95 }
            """);
        Assert.Equal((3, 0.5, true), (spec.Model.Depth, spec.Model.Width, spec.Model.Residual));
        Assert.Equal((0.8, 0.5), (spec.Image.SpacingY, spec.Image.SpacingX));
        Assert.Equal(1.5, spec.Evaluation.SurfaceTolerance);
        Assert.False(spec.Search.Maximise);
        Assert.Equal(0.7, Load(Valid + "\nimage: { spacing: 0.7 }\n").Image.SpacingX);
    }

    [Fact]
    public void Focal_Tversky_takes_its_three_parameters_and_three_classes_default_to_CE_plus_Dice()
    {
        var spec = Load(Valid.Replace("training: { max_epochs: 3 }", "training: { loss: focal-tversky, tversky_alpha: 0.2, tversky_beta: 0.8, tversky_gamma: 1.5 }"));
        Assert.Equal((LossKind.FocalTversky, 0.2, 0.8, 1.5), (spec.Training.Loss, spec.Training.TverskyAlpha, spec.Training.TverskyBeta, spec.Training.TverskyGamma));
        Assert.Equal(LossKind.CeDice, Load(Valid.Replace("[background, lesion]", "[background, liver, tumour]")).Training.Loss);
    }

    [Theory]
    [InlineData("training: { loss: cross-entropy }", "training.loss", "task segmentation needs dice, bce-dice, ce-dice or focal-tversky")]
    [InlineData("model: { architecture: resnet18 }", "model.architecture", "task segmentation needs architecture unet")]
    [InlineData("model: { depth: 7 }", "model.depth", "must be")]
    [InlineData("training: { tversky_alpha: 0.5 }", "training.tversky_alpha", "applies to loss focal-tversky only")]
    [InlineData("image: { spacing: [0, 1] }", "image.spacing", "finite numbers > 0")]
    [InlineData("image: { spacing: [1, 2, 3] }", "image.spacing", "one or two")]
    [InlineData("image: { spacing: wide }", "image.spacing", "expected numbers")]
    [InlineData("search: { metric: auroc }", "search.metric", "unknown metric 'auroc'")]
    [InlineData("training: { early_stopping: { monitor: val_auroc } }", "training.early_stopping.monitor", "followed by one of: dice, iou")]
    [InlineData("execution: { trainer: simulated }", "task", "simulated trainer")]
    [InlineData("evaluation: { surface_tolerance: -1 }", "evaluation.surface_tolerance", "must be")]
    public void A_segmentation_spec_refuses_what_does_not_fit_naming_the_key(string change, string key, string message)
    {
        var section = change[..change.IndexOf(':')];
        var yaml = section == "training" ? Valid.Replace("training: { max_epochs: 3 }", change) : Valid + "\n" + change + "\n";
        var errors = Error(yaml);
        Assert.Contains($"{key}: ", errors);
        Assert.Contains(message, errors);
    }

    [Fact]
    public void Three_classes_refuse_BCE_plus_Dice()
    {
        var errors = Error(Valid.Replace("[background, lesion]", "[background, liver, tumour]").Replace("training: { max_epochs: 3 }", "training: { loss: bce-dice }"));
        Assert.Contains("training.loss: bce-dice takes one foreground class", errors);
    }

    [Theory]
    [InlineData("training: { loss: dice }", "training.loss", "dice is for task segmentation")]
    [InlineData("model: { architecture: unet }", "model.architecture", "unet is for task segmentation")]
    [InlineData("model: { depth: 3 }", "model.depth", "applies to architecture unet only")]
    [InlineData("evaluation: { surface_tolerance: 1 }", "evaluation.surface_tolerance", "applies to task segmentation only")]
    public void An_image_level_spec_refuses_the_segmentation_keys(string change, string key, string message)
    {
        var binary = Valid.Replace("task: segmentation", "task: binary").Replace("[background, lesion]", "[normal, lesion]");
        var section = change[..change.IndexOf(':')];
        var yaml = section == "training" ? binary.Replace("training: { max_epochs: 3 }", change) : binary + "\n" + change + "\n";
        var errors = Error(yaml);
        Assert.Contains($"{key}: ", errors);
        Assert.Contains(message, errors);
    }

    [Fact]
    public void A_search_space_over_losses_and_architectures_must_fit_the_task()
    {
        var errors = Error(Valid + "\n" + """
            search:
              trials: 2
              space:
                loss: { type: categorical, values: [dice, focal] }
                architecture: { type: categorical, values: [unet, resnet18] }
            """);
        Assert.Contains("'focal': task segmentation needs", errors);
        Assert.Contains("'resnet18' does not fit task segmentation", errors);
    }

    [Fact]
    public void Depth_residual_and_the_Tversky_parameters_are_tunable()
    {
        var spec = Load(Valid + "\n" + """
            search:
              trials: 2
              space:
                depth: { type: int, low: 2, high: 4 }
                residual: { type: categorical, values: ["true", "false"] }
                tversky_alpha: { type: uniform, low: 0.1, high: 0.5 }
            """);
        Assert.Equal(3, spec.Search.Space.Count);
        var config = Hyperparameters.Empty.With("depth", 3).With("residual", "true").With("tversky_alpha", 0.25).With("tversky_beta", 0.75).With("tversky_gamma", 2);
        var (model, training) = config.ApplyTo(spec.Model, spec.Training);
        Assert.Equal((3, true), (model.Depth, model.Residual));
        Assert.Equal((0.25, 0.75, 2.0), (training.TverskyAlpha, training.TverskyBeta, training.TverskyGamma));
    }

    [Fact]
    public void Early_stopping_minimises_the_loss_and_the_distances_and_maximises_the_rest()
    {
        Assert.True(EarlyStopping.Minimises("val_loss"));
        Assert.True(EarlyStopping.Minimises("val_hd95"));
        Assert.True(EarlyStopping.Minimises("val_assd"));
        Assert.False(EarlyStopping.Minimises("val_dice"));
        var s = EarlyStopping.Start.Observe(0, 5.0, "val_hd95", 0).Observe(1, 3.0, "val_hd95", 0);
        Assert.Equal(1, s.BestEpoch);
    }
}
