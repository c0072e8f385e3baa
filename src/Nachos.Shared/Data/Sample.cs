using Nachos.Shared.Spec;

namespace Nachos.Shared.Data;

/// <summary>
/// One image of a dataset. <c>Labels</c> holds the class index for single-label tasks and one 0/1 entry per
/// label for multi-label tasks. <c>Group</c> is the patient/subject; without a group column each sample is its own.
/// </summary>
public sealed record Sample(
    string Id,
    int Line,
    string ImagePath,
    IReadOnlyList<int> Labels,
    string? MaskPath,
    string Group,
    string? Site,
    string? Fold)
{
    /// <summary>The value stratification balances: the class, or the label combination for multi-label.</summary>
    public string Stratum => Labels.Count == 1 ? Labels[0].ToString() : string.Concat(Labels);
}

/// <summary>The samples of a dataset and the names of its classes (or labels, for multi-label).</summary>
public sealed record Manifest(string Source, TaskKind Task, IReadOnlyList<string> Classes, IReadOnlyList<Sample> Samples)
{
    public IReadOnlyDictionary<string, Sample> ById => _byId ??= Samples.ToDictionary(s => s.Id);
    private Dictionary<string, Sample>? _byId;
}

/// <summary>A dataset problem, naming the file and, where there is one, the line, column and value.</summary>
public sealed class DataException(string message) : Exception(message);
