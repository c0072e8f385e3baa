namespace Nachos.Shared.Spec;

/// <summary>A validated study specification. Built only by the spec loader (SpecLoading).</summary>
public sealed record StudySpec(
    string Name,
    int Seed,
    string SpecDirectory,
    DatasetSpec Dataset,
    TaskKind Task,
    ImageSpec Image,
    SplitSpec Split,
    ModelSpec Model,
    TrainingSpec Training,
    SearchSpec Search,
    ExecutionSpec Execution,
    EvaluationSpec Evaluation,
    DeploySpec? Deploy = null)
{
    /// <summary>The <c>robustness:</c> section: a stress test run at the end of the study (docs/robustness.md); null without one.</summary>
    public RobustnessSpec? Robustness { get; init; }

    /// <summary>The <c>learning_curve:</c> section: each outer fold's chosen configuration trained on nested fractions of its outer-train set (docs/evaluation.md); null without one.</summary>
    public LearningCurveSpec? LearningCurve { get; init; }
}

/// <summary>
/// The fractions of each outer-train set a learning curve trains on (ascending, each in (0, 1], ending with 1: the refit itself)
/// and δ, how close to the full-data metric a fraction's mean must come to count as enough data.
/// </summary>
public sealed record LearningCurveSpec(IReadOnlyList<double> Fractions, double Delta)
{
    public static readonly IReadOnlyList<double> DefaultFractions = [0.1, 0.25, 0.5, 1.0];
    public const double DefaultDelta = 0.02;
}

/// <summary>The shifts (comma-separated names; null: all) and severities ("1-5", "1,3,5"; null: all) of a spec's stress test, validated by the loader.</summary>
/// <param name="ChannelGrid">Also the red × blue channel-scale grid (<c>channel_grid</c>; RGB only).</param>
public sealed record RobustnessSpec(string? Transforms, string? Severities, bool ChannelGrid = false);

/// <summary>Classification (binary, multi-class, multi-label) or segmentation (a label map per image, class 0 = background).</summary>
public enum TaskKind { Binary, Multiclass, Multilabel, Segmentation }

public enum DatasetFormat { Csv, Npz, Synthetic }

public enum BadImagePolicy { Error, Skip }

public sealed record DatasetSpec(
    DatasetFormat Format,
    /// <summary>Absolute path of the CSV manifest or the .npz file.</summary>
    string Path,
    string ImageColumn,
    IReadOnlyList<string> LabelColumns,
    IReadOnlyList<string> Classes,
    string? GroupColumn,
    string? SiteColumn,
    string? FoldColumn,
    string? MaskColumn,
    BadImagePolicy OnBadImage,
    IReadOnlyList<string> NpzParts,
    SyntheticSpec? Synthetic);

/// <summary>The built-in demo data: generated into <c>Path</c>'s folder when absent.</summary>
public sealed record SyntheticSpec(int Patients, int Sites, int Size, int Seed);

/// <param name="MaxPixels">Largest image (width × height, from its header) that is decoded; a larger one is bad data.</param>
/// <param name="SpacingY">Physical size of a pixel's row step (segmentation surface distances are in these units).</param>
public sealed record ImageSpec(int Height, int Width, int Channels, long MaxPixels = ImageSpec.DefaultMaxPixels, double SpacingY = 1, double SpacingX = 1)
{
    public const long DefaultMaxMegapixels = 50;
    public const long DefaultMaxPixels = DefaultMaxMegapixels * 1_000_000;
}

public enum SplitScheme { KFold, LeaveSiteOut, FoldColumn, CrossTesting, Holdout }

public sealed record SplitSpec(
    SplitScheme Scheme,
    int OuterFolds,
    int InnerFolds,
    double TestFraction,
    bool Stratify,
    bool GroupByPatient);

public enum Architecture { SimpleCnn, ResNet18, ResNet34, ResNet50, UNet }

/// <param name="Depth">UNet levels (resolutions); the classification architectures have their own.</param>
/// <param name="Residual">UNet blocks with a residual connection.</param>
/// <param name="Shallower">Blocks per stage (ResNet) or conv blocks (SimpleCnn) removed, at least one kept: a proxy network's (which lowers a UNet's Depth instead).</param>
public sealed record ModelSpec(Architecture Architecture, double Width, string? InitialWeights, int Depth = ModelSpec.DefaultDepth, bool Residual = false,
    int Shallower = 0)
{
    public const int DefaultDepth = 4;
}

/// <summary>Image losses (cross-entropy, bce, focal) and segmentation losses (the rest).</summary>
public enum LossKind { CrossEntropy, Bce, Focal, Dice, BceDice, CeDice, FocalTversky }

public enum OptimizerKind { Sgd, Adam, AdamW }

public enum LrScheduleKind { None, Step, Cosine, TimeDecay }

public sealed record LrScheduleSpec(LrScheduleKind Kind, int StepSize, double Gamma, double Decay);

public sealed record EarlyStoppingSpec(bool Enabled, string Monitor, int Patience, double MinDelta);

public sealed record AugmentationSpec(
    bool HorizontalFlip,
    bool VerticalFlip,
    double RotationDegrees,
    double CropScaleMin,
    double Intensity,
    double Contrast,
    AugmentationPolicy Policy = AugmentationPolicy.None)
{
    public static readonly AugmentationSpec None = new(false, false, 0, 1, 0, 0);
    public bool Any => HorizontalFlip || VerticalFlip || RotationDegrees > 0 || CropScaleMin < 1 || Intensity > 0 || Contrast > 0
                       || Policy != AugmentationPolicy.None;
}

/// <summary>Photometric augmentation on top of the geometric one: none, or StrongAugment's random 2–4 operations per image.</summary>
public enum AugmentationPolicy { None, Strong }

public sealed record TrainingSpec(
    int MaxEpochs,
    int BatchSize,
    LossKind Loss,
    bool ClassWeights,
    double FocalGamma,
    OptimizerKind Optimizer,
    double LearningRate,
    double Momentum,
    bool Nesterov,
    double WeightDecay,
    LrScheduleSpec Schedule,
    EarlyStoppingSpec EarlyStopping,
    int CheckpointEvery,
    AugmentationSpec Augmentation,
    int Threads,
    double TverskyAlpha = TrainingSpec.DefaultTverskyAlpha,
    double TverskyBeta = TrainingSpec.DefaultTverskyBeta,
    double TverskyGamma = TrainingSpec.DefaultTverskyGamma)
{
    public const double DefaultTverskyAlpha = 0.3, DefaultTverskyBeta = 0.7, DefaultTverskyGamma = 0.75;
}

/// <summary>How predictions are scored beyond the metric definitions: the surface-Dice tolerance (in spacing units) and the binary decision threshold's rule.</summary>
public sealed record EvaluationSpec(double SurfaceTolerance, ThresholdRule Threshold)
{
    public const double DefaultSurfaceTolerance = 2;
    public static readonly EvaluationSpec Default = new(DefaultSurfaceTolerance, ThresholdRule.Default);
}

/// <summary>
/// DACHOS (the spec's <c>deploy:</c> section): after the outer folds, the same search runs once more on the whole dataset
/// (its inner splits of all data) and chooses the configuration of the model to deploy, trained on all data.
/// </summary>
public sealed record DeploySpec(FinalModelKind Final)
{
    /// <summary>The study runs the deploy fold (its search and the model trained on all data).</summary>
    public bool TrainsAllData => Final != FinalModelKind.FoldEnsemble;

    /// <summary>The outer folds' refits, probabilities averaged, are offered as a model to deploy (no extra training).</summary>
    public bool OffersEnsemble => Final != FinalModelKind.AllData;
}

/// <summary>
/// What the deployed model is: one model trained on all data, the fold ensemble (the outer refits, probabilities
/// averaged), or both.
/// </summary>
public enum FinalModelKind { AllData, FoldEnsemble, Both }

public enum ParamKind { Uniform, LogUniform, Int, PowerOfTwo, Categorical }

/// <summary>One hyperparameter's range. <c>When</c> makes it conditional on another parameter's categorical value.</summary>
public sealed record ParamSpec(
    string Name,
    ParamKind Kind,
    double Low,
    double High,
    IReadOnlyList<string> Values,
    IReadOnlyDictionary<string, string> When);

public enum SamplerKind { Random, Grid, Tpe }

/// <param name="Scheduler">Stops poor trials early (null: every trial runs to the end); see <see cref="Search.RungSchedule"/>.</param>
/// <param name="Proxy">The inner search's proxy data and proxy network (<c>search.proxy</c>); null: the search trains the full problem.</param>
public sealed record SearchSpec(SamplerKind Sampler, int Trials, int Parallelism, string Metric, IReadOnlyList<ParamSpec> Space, int GridPoints,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    SchedulerSpec? Scheduler = null,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    ProxySpec? Proxy = null)
{
    /// <summary>
    /// Whether trial <paramref name="trial"/>'s inner tasks train on the proxy (data and/or network): every trial of a one-stage proxy
    /// search, the first stage's trials (below <see cref="Trials"/>) of a two-stage one; never without a proxy.
    /// </summary>
    public bool Proxied(int trial) => Proxy is { } p && (p.TopK == 0 || trial < Trials);
    /// <summary>Validation loss and the surface distances are minimised; every other metric maximised.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool Maximise => !SpecNames.Minimised(Metric);
}

public enum SchedulerKind { Asha, Hyperband, Median, Wilcoxon }

/// <summary>
/// A scheduler's settings. ASHA judges trials at rungs of <c>GracePeriod</c> × <c>ReductionFactor</c>^i epochs and lets the best
/// 1/<c>ReductionFactor</c> go on; Hyperband runs ASHA in <c>Brackets</c> brackets (trial n in bracket n mod B, bracket b starting at
/// GracePeriod × ReductionFactor^b); median stopping judges every <c>Interval</c> epochs from <c>GracePeriod</c> against the median of
/// the trials before, once <c>MinTrials</c> of them have a score there; the Wilcoxon pruner judges at the same rungs with a
/// one-sided Wilcoxon signed-rank test over the inner splits against the best trial before, stopping when p &lt; <c>PThreshold</c>.
/// Trials are judged in cohorts of <c>Cohort</c> consecutive trials of a bracket: each against its own cohort and the earlier ones
/// (1: against the trials before it only; the whole search: synchronous successive halving). With <c>Extrapolate</c>, ASHA, Hyperband
/// and median stopping rank a trial at a rung by its learning curve's forecast at max epochs rather than by its score there.
/// </summary>
public sealed record SchedulerSpec(SchedulerKind Kind, int GracePeriod, int ReductionFactor, int Brackets, int MinTrials, int Interval,
    double PThreshold = 0.1, int Cohort = 1, bool Extrapolate = false);

public enum TrainerKind { Torch, Simulated }

public enum ExecutorKind { Subprocess, Worker, InProcess }

/// <summary>
/// The simulated trainer: a deterministic function of the hyperparameters (see SimulatedTrainer),
/// taking <c>SecondsPerEpoch</c> per epoch, failing a task attempt with probability <c>FailureRate</c>.
/// </summary>
public sealed record SimulatedSpec(double SecondsPerEpoch, double FailureRate);

/// <summary>How tasks run: which trainer, in which executor, on how many device slots, with what tolerance for failures.</summary>
/// <param name="Devices">Device slots on the node: 1 to <see cref="MaxDevices"/> (also the bound of <c>nachos run --devices</c>).</param>
public sealed record ExecutionSpec(TrainerKind Trainer, ExecutorKind Executor, int Devices, int MaxRetries, double MaxFailedTrials, SimulatedSpec Simulated,
    double TaskTimeoutSeconds = 0)
{
    public const int MaxDevices = 1024;
}
