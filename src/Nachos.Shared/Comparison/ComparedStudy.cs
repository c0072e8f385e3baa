using Nachos.Shared.Spec;
using Nachos.Shared.Splits;
using Nachos.Shared.Study;

namespace Nachos.Shared.Comparison;

/// <summary>
/// A finished study as <c>nachos compare</c> reads it: its run directory and name, task kind and classes, split plan,
/// search metric, the outer folds of its report, and its refits' test predictions pooled over the outer folds, by sample id.
/// </summary>
public sealed record ComparedStudy(string RunDir, string Name, TaskKind Task, IReadOnlyList<string> Classes, SplitPlan Plan, string SearchMetric,
    IReadOnlyList<FoldResult> Folds, IReadOnlyDictionary<string, PooledPrediction> Pooled);

/// <summary>
/// One out-of-fold test prediction: the outer fold whose refit made it, the truth as the predictions file holds it
/// (class index, or 0/1 per label), the probabilities in the study's class order, and for segmentation the image's Dice
/// (null where undefined).
/// </summary>
public sealed record PooledPrediction(int Outer, IReadOnlyList<int> Labels, IReadOnlyList<double> Probabilities, double? Dice = null);

/// <summary>Studies that cannot be compared, or a run directory that is not a finished study: one line naming what is at fault.</summary>
public sealed class ComparisonException(string message) : Exception(message);
