namespace Nachos.Shared.Spec;

/// <summary>The spellings a spec uses for each enumerated setting.</summary>
public static class SpecNames
{
    public static readonly IReadOnlyDictionary<string, TaskKind> Tasks = new Dictionary<string, TaskKind>
    {
        ["binary"] = TaskKind.Binary, ["multiclass"] = TaskKind.Multiclass, ["multilabel"] = TaskKind.Multilabel,
        ["segmentation"] = TaskKind.Segmentation,
    };

    public static readonly IReadOnlyDictionary<string, SplitScheme> Schemes = new Dictionary<string, SplitScheme>
    {
        ["kfold"] = SplitScheme.KFold, ["leave-site-out"] = SplitScheme.LeaveSiteOut, ["fold-column"] = SplitScheme.FoldColumn,
        ["cross-testing"] = SplitScheme.CrossTesting, ["holdout"] = SplitScheme.Holdout,
    };

    public static readonly IReadOnlyDictionary<string, FinalModelKind> FinalModels = new Dictionary<string, FinalModelKind>
    {
        ["all-data"] = FinalModelKind.AllData, ["fold-ensemble"] = FinalModelKind.FoldEnsemble, ["both"] = FinalModelKind.Both,
    };

    public static readonly IReadOnlyDictionary<string, Architecture> Architectures = new Dictionary<string, Architecture>
    {
        ["simple-cnn"] = Architecture.SimpleCnn, ["resnet18"] = Architecture.ResNet18,
        ["resnet34"] = Architecture.ResNet34, ["resnet50"] = Architecture.ResNet50, ["unet"] = Architecture.UNet,
    };

    public static readonly IReadOnlyDictionary<string, LossKind> Losses = new Dictionary<string, LossKind>
    {
        ["cross-entropy"] = LossKind.CrossEntropy, ["bce"] = LossKind.Bce, ["focal"] = LossKind.Focal,
        ["dice"] = LossKind.Dice, ["bce-dice"] = LossKind.BceDice, ["ce-dice"] = LossKind.CeDice, ["focal-tversky"] = LossKind.FocalTversky,
    };

    public static readonly IReadOnlyDictionary<string, OptimizerKind> Optimizers = new Dictionary<string, OptimizerKind>
    {
        ["sgd"] = OptimizerKind.Sgd, ["adam"] = OptimizerKind.Adam, ["adamw"] = OptimizerKind.AdamW,
    };

    public static readonly IReadOnlyDictionary<string, LrScheduleKind> Schedules = new Dictionary<string, LrScheduleKind>
    {
        ["none"] = LrScheduleKind.None, ["step"] = LrScheduleKind.Step, ["cosine"] = LrScheduleKind.Cosine, ["time-decay"] = LrScheduleKind.TimeDecay,
    };

    public static readonly IReadOnlyDictionary<string, AugmentationPolicy> AugmentationPolicies = new Dictionary<string, AugmentationPolicy>
    {
        ["none"] = AugmentationPolicy.None, ["strong"] = AugmentationPolicy.Strong,
    };

    public static readonly IReadOnlyDictionary<string, ParamKind> ParamKinds = new Dictionary<string, ParamKind>
    {
        ["uniform"] = ParamKind.Uniform, ["log-uniform"] = ParamKind.LogUniform, ["int"] = ParamKind.Int,
        ["power-of-two"] = ParamKind.PowerOfTwo, ["categorical"] = ParamKind.Categorical,
    };

    public static readonly IReadOnlyDictionary<string, SamplerKind> Samplers = new Dictionary<string, SamplerKind>
    {
        ["random"] = SamplerKind.Random, ["grid"] = SamplerKind.Grid, ["tpe"] = SamplerKind.Tpe,
    };

    public static readonly IReadOnlyDictionary<string, SchedulerKind> Schedulers = new Dictionary<string, SchedulerKind>
    {
        ["asha"] = SchedulerKind.Asha, ["hyperband"] = SchedulerKind.Hyperband, ["median"] = SchedulerKind.Median, ["wilcoxon"] = SchedulerKind.Wilcoxon,
    };

    public static readonly IReadOnlyDictionary<string, BadImagePolicy> BadImagePolicies = new Dictionary<string, BadImagePolicy>
    {
        ["error"] = BadImagePolicy.Error, ["skip"] = BadImagePolicy.Skip,
    };

    public static readonly IReadOnlyDictionary<string, TrainerKind> Trainers = new Dictionary<string, TrainerKind>
    {
        ["torch"] = TrainerKind.Torch, ["simulated"] = TrainerKind.Simulated,
    };

    public static readonly IReadOnlyDictionary<string, ExecutorKind> Executors = new Dictionary<string, ExecutorKind>
    {
        ["subprocess"] = ExecutorKind.Subprocess, ["worker"] = ExecutorKind.Worker, ["in-process"] = ExecutorKind.InProcess,
    };

    /// <summary>Metrics an image-level (classification) run can be early-stopped on or scored by, besides <c>val_loss</c>.</summary>
    public static readonly IReadOnlyList<string> ImageMetrics = ["auroc", "accuracy", "balanced_accuracy", "f1", "sensitivity", "specificity"];

    /// <summary>
    /// A segmentation run's metrics: each the mean over images of the per-image value (docs/spec.md, "Segmentation
    /// metrics"), and <c>pooled_dice</c> over all pixels of the set together.
    /// </summary>
    public static readonly IReadOnlyList<string> SegmentationMetrics =
        ["dice", "iou", "sensitivity", "specificity", "precision", "hd95", "assd", "surface_dice", "pixel_auroc", "pooled_dice"];

    /// <summary>The metrics of a task kind, in the order reports list them.</summary>
    public static IReadOnlyList<string> MetricsOf(TaskKind task) => task == TaskKind.Segmentation ? SegmentationMetrics : ImageMetrics;

    /// <summary>Lower is better: the loss and the surface distances; every other metric is maximised.</summary>
    public static bool Minimised(string metric) => metric is "loss" or "hd95" or "assd";

    /// <summary>Distances (in spacing units) rather than proportions in [0, 1].</summary>
    public static bool Unbounded(string metric) => metric is "hd95" or "assd";

    /// <summary>The metrics that are proportions, in [0, 1]: every one but the losses and the surface distances.</summary>
    public static bool InUnitInterval(string metric) => metric is not ("loss" or "hd95" or "assd");

    /// <summary>The image losses and the segmentation losses.</summary>
    public static bool IsSegmentationLoss(LossKind loss) => loss is LossKind.Dice or LossKind.BceDice or LossKind.CeDice or LossKind.FocalTversky;

    public static string NameOf<T>(IReadOnlyDictionary<string, T> names, T value) where T : struct, Enum =>
        names.First(kv => kv.Value.Equals(value)).Key;
}
