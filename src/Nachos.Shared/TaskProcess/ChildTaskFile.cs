using System.Collections.Immutable;
using System.Text.Json.Serialization;
using Nachos.Shared.Study;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.TaskProcess;

/// <summary>task.json: the task attempt a node hands to its <c>nachos task</c> child.</summary>
public sealed record ChildTaskFile(
    [property: JsonPropertyName("format")] int Format,
    [property: JsonPropertyName("task_id")] string TaskId,
    [property: JsonPropertyName("study_id")] string StudyId,
    [property: JsonPropertyName("outer")] int Outer,
    [property: JsonPropertyName("trial")] int Trial,
    [property: JsonPropertyName("inner")] int? Inner,
    [property: JsonPropertyName("hyperparameters")] IReadOnlyDictionary<string, string> Hyperparameters,
    [property: JsonPropertyName("max_epochs")] int MaxEpochs,
    [property: JsonPropertyName("seed")] int Seed)
{
    private const string What = "task file";

    public static void Write(string file, TaskSpec task) =>
        ChildFiles.Write(file, new ChildTaskFile(ChildFiles.Format, task.TaskId, task.StudyId, task.Outer, task.Trial, task.Inner,
            task.Hyperparameters.Values, task.MaxEpochs, task.Seed));

    /// <exception cref="ChildFileException">Malformed, or of another format.</exception>
    public static TaskSpec Read(string file)
    {
        var f = ChildFiles.Read<ChildTaskFile>(file, What);
        return new TaskSpec(f.TaskId, f.StudyId, f.Outer, f.Trial, f.Inner,
            new Hyperparameters(f.Hyperparameters.ToImmutableSortedDictionary(StringComparer.Ordinal)), f.MaxEpochs, f.Seed);
    }
}
