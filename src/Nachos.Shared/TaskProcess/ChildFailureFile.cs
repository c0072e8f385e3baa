using System.Text.Json.Serialization;
using Nachos.Shared.Tasks;

namespace Nachos.Shared.TaskProcess;

/// <summary>failure.json: a <c>nachos task</c> child's attempt failed for a reason it recognises (the kind decides whether it is retried).</summary>
public sealed record ChildFailureFile(
    [property: JsonPropertyName("format")] int Format,
    [property: JsonPropertyName("kind")] FailureKind Kind,
    [property: JsonPropertyName("message")] string Message)
{
    private const string What = "failure file";

    public static void Write(string file, TaskFailure failure) =>
        ChildFiles.Write(file, new ChildFailureFile(ChildFiles.Format, failure.Kind, failure.Message));

    /// <exception cref="ChildFileException">Malformed (a child killed while writing it), or of another format.</exception>
    public static TaskFailure Read(string file)
    {
        var f = ChildFiles.Read<ChildFailureFile>(file, What);
        return new TaskFailure(f.Kind, f.Message);
    }
}
