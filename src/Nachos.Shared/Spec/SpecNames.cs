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

    public static readonly IReadOnlyDictionary<string, Architecture> Architectures = new Dictionary<string, Architecture>
    {
        ["simple-cnn"] = Architecture.SimpleCnn, ["resnet18"] = Architecture.ResNet18,
        ["resnet34"] = Architecture.ResNet34, ["resnet50"] = Architecture.ResNet50,
    };

    public static readonly IReadOnlyDictionary<string, LossKind> Losses = new Dictionary<string, LossKind>
    {
        ["cross-entropy"] = LossKind.CrossEntropy, ["bce"] = LossKind.Bce, ["focal"] = LossKind.Focal,
    };

    public static readonly IReadOnlyDictionary<string, OptimizerKind> Optimizers = new Dictionary<string, OptimizerKind>
    {
        ["sgd"] = OptimizerKind.Sgd, ["adam"] = OptimizerKind.Adam, ["adamw"] = OptimizerKind.AdamW,
    };

    public static readonly IReadOnlyDictionary<string, LrScheduleKind> Schedules = new Dictionary<string, LrScheduleKind>
    {
        ["none"] = LrScheduleKind.None, ["step"] = LrScheduleKind.Step, ["cosine"] = LrScheduleKind.Cosine, ["time-decay"] = LrScheduleKind.TimeDecay,
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
        ["subprocess"] = ExecutorKind.Subprocess, ["in-process"] = ExecutorKind.InProcess,
    };

    /// <summary>Metrics a run can be early-stopped on or scored by (validation), besides <c>val_loss</c>.</summary>
    public static readonly IReadOnlyList<string> Metrics = ["auroc", "accuracy", "balanced_accuracy", "f1", "sensitivity", "specificity"];

    public static string NameOf<T>(IReadOnlyDictionary<string, T> names, T value) where T : struct, Enum =>
        names.First(kv => kv.Value.Equals(value)).Key;
}
