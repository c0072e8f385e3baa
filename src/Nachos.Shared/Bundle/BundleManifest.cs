using System.Text.Json.Serialization;

namespace Nachos.Shared.Bundle;

/// <summary>
/// bundle.json: everything needed to rebuild a trained network, feed it images the way training did and read its outputs,
/// with where it came from and how well it is expected to do (docs/bundle.md). Written and read by <see cref="BundleJson"/>.
/// </summary>
/// <param name="Format">
/// The bundle format version: <see cref="BundleJson.FormatVersion"/> for one model, <see cref="BundleJson.EnsembleFormatVersion"/>
/// for a fold ensemble; a reader refuses any other.
/// </param>
/// <param name="Network">The network; null for a fold ensemble (each member has its own).</param>
/// <param name="Preprocessing">How images are fed; null for a fold ensemble (each member has its own normalisation statistics).</param>
/// <param name="Weights">The weights; null for a fold ensemble (each member's are in its own bundle).</param>
/// <param name="Members">A fold ensemble's members (format 2): each outer fold's refit as a complete one-model bundle in its own folder; null for one model.</param>
/// <param name="Task">The task kind by its spec name: binary, multiclass, multilabel or segmentation.</param>
/// <param name="Classes">The classes in output order (multi-label: the labels; segmentation: background first).</param>
/// <param name="Spec">The study spec's text as submitted.</param>
/// <param name="SplitPlanHash">The SHA-256 of the study's split plan (splits.json).</param>
/// <param name="Software">The software that trained it (the run directory's software.txt).</param>
public sealed record BundleManifest(
    int Format,
    string Task,
    BundleSource Source,
    BundleNetwork? Network,
    BundlePreprocessing? Preprocessing,
    IReadOnlyList<string> Classes,
    BundleDecision Decision,
    BundleManifestColumns ManifestColumns,
    string Spec,
    string SplitPlanHash,
    BundleDataset Dataset,
    ExpectedPerformance ExpectedPerformance,
    string Software,
    BundleSeeds Seeds,
    BundleHardware Hardware,
    DateTimeOffset Created,
    BundleWeights? Weights,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<BundleMember>? Members = null)
{
    /// <summary>A fold ensemble: its members' probabilities are averaged.</summary>
    [JsonIgnore]
    public bool IsEnsemble => Members is not null;

    /// <summary>What identifies the model's weights: its weights' SHA-256, or for an ensemble the SHA-256 of its members' in order.</summary>
    [JsonIgnore]
    public string WeightsIdentity => Weights?.Sha256
        ?? BundleFiles.Sha256(System.Text.Encoding.ASCII.GetBytes(string.Join("\n", Members!.Select(m => m.WeightsSha256))));
}

/// <summary>
/// One member of a fold ensemble: outer fold <paramref name="OuterFold"/>'s refit, a complete one-model bundle in the
/// folder <paramref name="Path"/> (<see cref="BundleLayout.MemberFolder"/>), whose weights have this SHA-256.
/// </summary>
public sealed record BundleMember(int OuterFold, string Path, string WeightsSha256);

/// <summary>The task the weights come from: its study, its task id (a refit <c>study/o{k}/refit</c>, or any finished training task) and outer fold.</summary>
/// <param name="OuterFold">The outer fold whose outer-train set trained it; null for a model trained on all data.</param>
public sealed record BundleSource(string Study, string TaskId, int? OuterFold, string RunDirectory);

/// <summary>
/// What the model factory needs to rebuild the network: the architecture by its spec name, width, depth and residual
/// blocks (UNet), the number of output channels and how they become probabilities (softmax or sigmoid); and the
/// hyperparameters the task trained with.
/// </summary>
public sealed record BundleNetwork(string Architecture, double Width, int Depth, bool Residual, int Outputs, string Activation,
    IReadOnlyDictionary<string, string> Hyperparameters)
{
    public const string Softmax = "softmax";
    public const string Sigmoid = "sigmoid";
}

/// <summary>
/// How an image becomes the network's input, exactly as training did it: decoded to <see cref="Channels"/> channels in
/// [0, 1], resized bilinearly to <see cref="Height"/>×<see cref="Width"/>, then (x − mean) / std per channel with the
/// statistics of the training set. <see cref="BatchSize"/> is the batch size the study's evaluation used.
/// </summary>
public sealed record BundlePreprocessing(int Height, int Width, int Channels, long MaxPixels, IReadOnlyList<float> Mean, IReadOnlyList<float> Std, int BatchSize);

/// <summary>The decision threshold on a positive probability (binary, multi-label, one-foreground segmentation) and the rule in words.</summary>
public sealed record BundleDecision(double Threshold, string Rule);

/// <summary>The columns of a CSV manifest (the format <c>nachos run</c> reads) that <c>nachos predict</c> reads.</summary>
public sealed record BundleManifestColumns(string Image, IReadOnlyList<string> Labels, string? Mask);

/// <summary>
/// The dataset the study ran on: its format, its content key (<see cref="Data.DatasetContentKey"/>: each image's path,
/// size and modification time, and the image size), and how many images trained this model.
/// </summary>
public sealed record BundleDataset(string Format, string ContentKey, int Samples, int TrainedOn);

/// <summary>The study's seed and the task's training seed (null for a fold ensemble: each member has its own).</summary>
public sealed record BundleSeeds(int Study, int? Task);

/// <summary>Where it was trained (the task's device) and where the bundle was made.</summary>
public sealed record BundleHardware(string TrainedOn, string Host, string Os, int ProcessorCount);

/// <summary>The weights file and its SHA-256 (lower-case hex), checked on every load.</summary>
public sealed record BundleWeights(string File, string Sha256, long Bytes);
