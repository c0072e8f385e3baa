namespace Nachos.Shared.Predictions;

/// <summary>
/// One row of a predictions file: an evaluated image, its set (validation or test), its truth (a class index for
/// single-label tasks, 0/1 per label for multi-label) and the predicted probabilities in the classes' order.
/// </summary>
/// <param name="Extra">Further per-image columns by name (a segmentation task's <c>mask</c> path, <c>dice</c>, …), as written.</param>
public sealed record PredictionRow(string SampleId, string Set, IReadOnlyList<int> Labels, IReadOnlyList<double> Probabilities,
    IReadOnlyDictionary<string, string>? Extra = null);
